# PlatformIO pre-build script: generate the firmware module's C (AssemblyScript -> wasm -> wasm2c
# -> post-processing) and the board tables with the project's own build, for the env's board.
import subprocess

Import("env")  # noqa: F821 (provided by PlatformIO's SCons)

board = env.GetProjectOption("custom_plumb_board")  # noqa: F821
subprocess.check_call(["npm", "run", "--silent", "build", "--", "--board", board, "--no-sim"])
