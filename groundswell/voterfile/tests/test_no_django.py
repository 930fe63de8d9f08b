import subprocess
import sys


def test_voterfile_package_never_imports_django():
    code = (
        "import sys\n"
        "import groundswell.voterfile.layouts, groundswell.voterfile.generate, groundswell.voterfile.store\n"
        "import groundswell.voterfile.importing, groundswell.voterfile.engines, groundswell.voterfile.targeting\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
