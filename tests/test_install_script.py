"""scripts/install compiles llama.cpp for the instruction sets the CPU lists, never AMX: a virtual machine
can list AMX and then stop the process at its first AMX instruction."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cmake_args(cpuinfo: Path) -> list[str]:
    script = (ROOT / "scripts" / "install").read_text(encoding="utf-8")
    function = script[script.index("llama_cmake_args() {"): script.index("\n}\n", script.index("llama_cmake_args() {")) + 3]
    out = subprocess.run(["bash", "-c", f"{function}\nllama_cmake_args {cpuinfo}"], capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


def test_the_flags_the_cpu_lists_are_turned_on_and_amx_never(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse avx f16c fma avx2 bmi2 avx512f avx512vbmi avx512_vbmi2 "
                       "avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8\n", encoding="utf-8")
    args = cmake_args(cpuinfo)
    assert args[0] == "-DGGML_NATIVE=OFF"  # -march=native would turn AMX on with the rest
    assert set(args[1:]) == {f"-DGGML_{f}=ON" for f in
                             ("AVX", "AVX2", "FMA", "F16C", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16")}
    assert not any("AMX" in a for a in args)


def test_a_cpu_without_avx512_gets_no_avx512(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("flags\t\t: fpu sse avx f16c fma avx2 bmi2 avx_vnni\n", encoding="utf-8")
    assert cmake_args(cpuinfo) == ["-DGGML_NATIVE=OFF", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON",
                                   "-DGGML_F16C=ON", "-DGGML_BMI2=ON", "-DGGML_AVX_VNNI=ON"]
