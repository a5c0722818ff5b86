#!/usr/bin/env bash
# Installs the Debian packages that the browser and PyTorch suites need, when this user may.
# Prints what it did; never fails the caller (suites that lack their tools are skipped loudly).
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1 || need+=(python3-torch python3-torchvision)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
# @tensorloom/data's own-data tests: scikit-learn's bundled CSV files (iris, wine, breast cancer,
# digits) and PIL for torchvision's PIL-based transforms in the fixture script.
dpkg -s python3-sklearn >/dev/null 2>&1 || need+=(python3-sklearn)
/usr/bin/python3 -c 'import PIL' >/dev/null 2>&1 || need+=(python3-pil)
[ ${#need[@]} -eq 0 ] && { echo "system-deps: chromium, PyTorch, PIL, scikit-learn and FashionMNIST present"; exit 0; }
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: no apt-get; missing ${need[*]} (browser and PyTorch suites will be skipped)"; exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "system-deps: not root; run: sudo apt-get install -y ${need[*]}"; exit 0
  fi
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null 2>&1
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/tensorloom-apt.log 2>&1 \
  || $sudo apt-get install -y -qq "${need[@]}" >>/tmp/tensorloom-apt.log 2>&1 \
  || { echo "system-deps: apt-get failed, see /tmp/tensorloom-apt.log"; tail -5 /tmp/tensorloom-apt.log; }
exit 0
