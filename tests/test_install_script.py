"""scripts/install compiles llama.cpp for the instruction sets the CPU lists; AMX only when asked
(BRIEFING_LLAMA_AMX=auto) and the kernel grants it, from a source patched so that llama.cpp's AMX tile
configuration reaches the CPU (GCC 12 dropped it) and is loaded again after another library released the
tiles (torch's oneDNN does, in the same thread)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAPPHIRE_RAPIDS = ("fpu sse avx f16c fma avx2 bmi2 avx512f avx512vbmi avx512_vbmi2 avx512_vnni avx512_bf16 "
                   "amx_bf16 avx512_fp16 amx_tile amx_int8")
LISTED = {f"-DGGML_{f}=ON" for f in ("AVX", "AVX2", "FMA", "F16C", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI",
                                      "AVX512_BF16")}


def install_function(*names: str) -> str:
    script = (ROOT / "scripts" / "install").read_text(encoding="utf-8")
    out = []
    for name in names:
        start = script.index(f"{name}() {{")
        out.append(script[start: script.index("\n}\n", start) + 3])
    return "\n".join(out)


def cmake_args(cpuinfo: Path, amx: str, env: dict[str, str] | None = None) -> list[str]:
    """llama_cmake_args, with amx_granted answering ``amx`` (or passed as the second argument: "argument")."""
    script = (f"{install_function('llama_cmake_args')}\namx_granted() {{ [ {amx} = granted ]; }}\n"
              f"llama_cmake_args {cpuinfo}")
    if amx == "argument":
        script = f"{install_function('llama_cmake_args')}\nllama_cmake_args {cpuinfo} granted"
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", **(env or {})})
    return out.stdout.split()


def test_the_flags_the_cpu_lists_are_turned_on_and_amx_only_when_asked_for_and_granted(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {SAPPHIRE_RAPIDS}\n", encoding="utf-8")
    default = cmake_args(cpuinfo, "granted")
    assert default[0] == "-DGGML_NATIVE=OFF"  # -march=native would turn AMX on with the rest
    assert set(default[1:]) == LISTED
    auto = {"BRIEFING_LLAMA_AMX": "auto"}
    assert cmake_args(cpuinfo, "refused", auto) == default
    granted = cmake_args(cpuinfo, "granted", auto)
    assert granted[:len(default)] == default
    assert set(granted[len(default):]) == {"-DGGML_AMX_TILE=ON", "-DGGML_AMX_INT8=ON", "-DGGML_AMX_BF16=ON"}
    assert cmake_args(cpuinfo, "argument", auto) == granted
    assert cmake_args(cpuinfo, "argument") == default


def test_a_cpu_without_avx512_gets_no_avx512_and_no_amx(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("flags\t\t: fpu sse avx f16c fma avx2 bmi2 avx_vnni amx_tile amx_int8\n", encoding="utf-8")
    assert cmake_args(cpuinfo, "granted", {"BRIEFING_LLAMA_AMX": "auto"}) == [
        "-DGGML_NATIVE=OFF", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON", "-DGGML_BMI2=ON",
        "-DGGML_AVX_VNNI=ON"]


# llama.cpp's ggml/src/ggml-cpu/amx/mmq.cpp (llama-cpp-python 0.3.36), the function the patch mends, and a main
# that configures the tiles, releases them as oneDNN does after its own AMX work, asks llama.cpp's function
# again (it is called at every matrix product) and reads the configuration back from the CPU.
TILE_CONFIG = """\
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
struct tile_config_t{
    uint8_t palette_id = 0;
    uint8_t start_row = 0;
    uint8_t reserved_0[14] = {0};
    uint16_t colsb[16] = {0};
    uint8_t rows[16] = {0};
};
__attribute__((noinline)) void ggml_tile_config_init(void) {
    static thread_local bool done = false;
    if (done) {
        return;
    }
    alignas(64) tile_config_t tc = {};
    tc.palette_id = 1;
    tc.start_row = 0;
    tc.rows[0] = 8;   tc.colsb[0] = 64;
    tc.rows[1] = 8;   tc.colsb[1] = 64;
    tc.rows[2] = 16;  tc.colsb[2] = 32;
    tc.rows[3] = 16;  tc.colsb[3] = 32;
    tc.rows[4] = 16;  tc.colsb[4] = 64;
    tc.rows[5] = 16;  tc.colsb[5] = 64;
    tc.rows[6] = 16;  tc.colsb[6] = 64;
    tc.rows[7] = 16;  tc.colsb[7] = 64;

    _tile_loadconfig(&tc);
    done = true;
}
int main() {
    if (syscall(SYS_arch_prctl, 0x1023, 18)) return 3;
    ggml_tile_config_init();
    _tile_release();
    ggml_tile_config_init();
    alignas(64) tile_config_t back = {};
    _tile_storeconfig(&back);
    for (int i = 0; i < 8; i++) printf("%d/%d ", back.rows[i], back.colsb[i]);
    return 0;
}
"""


def amx_usable() -> bool:
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8") if Path("/proc/cpuinfo").exists() else ""
    if not (shutil.which("g++") and " amx_tile" in cpuinfo and " amx_int8" in cpuinfo):
        return False
    return subprocess.run(["bash", "-c", f"{install_function('amx_granted')}\namx_granted"],
                          capture_output=True).returncode == 0


def test_the_patch_changes_the_two_lines_and_refuses_a_source_without_them(tmp_path):
    source = tmp_path / "mmq.cpp"
    source.write_text(TILE_CONFIG, encoding="utf-8")
    patch = install_function("patch_amx_tile_config")
    subprocess.run(["bash", "-c", f"{patch}\npatch_amx_tile_config {source}"], check=True)
    lines = source.read_text(encoding="utf-8").splitlines()
    at = lines.index("    _tile_loadconfig(&tc);")
    assert lines[at - 1].strip().startswith('__asm__ __volatile__("" : : "r"(&tc) : "memory");')
    assert not any("thread_local" in line for line in lines)
    assert len(lines) == len(TILE_CONFIG.splitlines()) + 1
    # a llama.cpp without either line is refused rather than built unpatched
    for line in ("    _tile_loadconfig(&tc);\n", "    static thread_local bool done = false;\n"):
        other = tmp_path / "other.cpp"
        other.write_text(TILE_CONFIG.replace(line, ""), encoding="utf-8")
        run = subprocess.run(["bash", "-c", f"{patch}\npatch_amx_tile_config {other}"], capture_output=True, text=True)
        assert run.returncode != 0 and "does not hold" in run.stderr
        assert other.read_text(encoding="utf-8") == TILE_CONFIG.replace(line, "")


@pytest.mark.skipif(not amx_usable(), reason="needs g++ and a CPU and kernel that grant AMX")
def test_the_patched_tile_configuration_reaches_the_cpu_as_written(tmp_path):
    source = tmp_path / "mmq.cpp"
    source.write_text(TILE_CONFIG, encoding="utf-8")
    subprocess.run(["bash", "-c", f"{install_function('patch_amx_tile_config')}\npatch_amx_tile_config {source}"],
                   check=True)
    binary = tmp_path / "tile_config"
    subprocess.run(["g++", "-O3", "-mamx-tile", "-mamx-int8", str(source), "-o", str(binary)], check=True)
    out = subprocess.run([str(binary)], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["8/64", "8/64", "16/32", "16/32", "16/64", "16/64", "16/64", "16/64"]
