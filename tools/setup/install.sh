#!/usr/bin/env bash
# Create .venv and install FusionBox with pinned dependencies.
# mmcv 2.1.0 with compiled ops is built from source once and its wheel is cached in
# $FUSIONBOX_CACHE/wheels (default ~/.cache/fusionbox/wheels); later set-ups reuse it.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
CACHE=${FUSIONBOX_CACHE:-$HOME/.cache/fusionbox}
WHEELS="$CACHE/wheels"
C="-c requirements/constraints.txt"
mkdir -p "$WHEELS"

if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP="$PY -m pip --disable-pip-version-check"
$PIP install -q $C "pip<25" setuptools wheel ninja
$PIP install -q $C torch numpy

MMCV_WHEEL=$(ls "$WHEELS"/mmcv-2.1.0-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$MMCV_WHEEL" ]; then
  echo "[setup] building mmcv 2.1.0 with CPU ops (once; about 15-25 minutes on 2 cores)"
  $PIP install -q $C addict packaging Pillow pyyaml yapf mmengine opencv-python
  BUILD=$(mktemp -d)
  MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=${MAX_JOBS:-2} \
    $PIP wheel --no-deps --no-build-isolation -w "$BUILD" mmcv==2.1.0
  mv "$BUILD"/mmcv-2.1.0-*.whl "$WHEELS"/
  rm -rf "$BUILD"
  MMCV_WHEEL=$(ls "$WHEELS"/mmcv-2.1.0-*.whl | head -n1)
fi
echo "[setup] mmcv wheel: $MMCV_WHEEL"
$PIP install -q $C "$MMCV_WHEEL"
$PIP install -q $C -r requirements/runtime.txt -r requirements/tests.txt
$PIP install -q $C --no-build-isolation --no-deps -e .
$PY -c "import mmcv.ops, mmcv._ext, mmseg, mmdet, fusionbox; print('[setup] ok: mmcv', mmcv.__version__, 'with ops')"
