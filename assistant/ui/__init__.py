"""The Gradio web chat (``briefing chat``). ``render`` holds the pure Answer -> HTML/Markdown functions; ``app`` the UI."""
