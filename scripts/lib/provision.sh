# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# shellcheck disable=SC2154  # interp_root and launcher come from the caller
#
# The start every scripts/provision-*.sh shares. Source it from bash; the
# caller sets interp_root (.interpreters/) and launcher (the interpreter it
# prints) and defines is_ready, which succeeds when the install is complete
# and current (its stamp matches, and the interpreter still works).

# One run at a time per install (parallel tox envs or CI lanes provision
# the same interpreter): take the lock named $1 under interp_root, held
# until the script exits. Then the fast path: if is_ready, print the
# launcher and exit; otherwise return, for the caller to build from scratch.
provision_lock_or_done() {
  mkdir -p -- "$interp_root"
  if command -v flock >/dev/null; then
    exec 9>"$interp_root/.$1.lock"
    flock 9
  fi
  if is_ready; then
    printf '%s\n' "$launcher"
    exit 0
  fi
}
