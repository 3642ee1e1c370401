#!/usr/bin/env bash
# Two learners on one shared machine (a classroom server behind a TLS-inspecting proxy): two new
# non-root login users, one after the other, each clone main and run the README's two commands,
# `make demo` then `make test`, from a login shell (`su -`). Their environment is a login's: the
# machine's CA bundle and /etc/pip.conf only, no SSL_CERT_FILE, nothing of root's (issue 20).
#
# Run it as root from the project's checkout: tools/two_login_users.sh
# It needs a Python >= 3.12 on a login's PATH (/usr/local/bin or /usr/bin), as an administrator
# installs one for everybody; it says so and stops where there is none. The users, their homes and
# their processes are removed afterwards, however it ends. Too long for the test suite (two whole
# runs of it); its result goes in the issue's note.
set -u
[ "$(id -u)" = 0 ] || { echo "two_login_users: run me as root (I make and remove OS users)"; exit 2; }
src=$(git rev-parse --show-toplevel 2>/dev/null) || { echo "two_login_users: run me inside the checkout"; exit 2; }
login_path=/usr/local/bin:/usr/bin:/bin
python=$(PATH=$login_path; for c in python3.12 python3.13 python3.14 python3; do
  command -v $c >/dev/null && $c -c 'import sys; sys.exit(sys.version_info < (3, 12))' && { echo $c; break; }
done)
[ -n "$python" ] || { echo "two_login_users: no Python >= 3.12 on a login's PATH ($login_path)"; exit 2; }

# a bare copy of main, handed to each user in turn (root's checkout may sit in a closed folder)
share=$(mktemp -d /tmp/two-login-users.XXXXXX)
users=()
cleanup() {
  trap '' INT TERM  # a second Ctrl-C must not leave a user behind
  for user in "${users[@]}"; do
    for _ in $(seq 20); do  # a zombie nobody reaps would keep pgrep true forever
      pgrep -u "$user" >/dev/null || break
      pkill -KILL -u "$user"
      sleep 0.5
    done
    find /tmp /dev/shm -xdev -user "$user" -delete 2>/dev/null  # their runtime folders, sockets
    userdel -r "$user" 2>/dev/null || echo "two_login_users: could not remove $user: userdel -r $user"
  done
  rm -rf "$share"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 755 "$share"
git clone -q --bare --branch main "$src" "$share/workbook.git"
chmod -R a+rX "$share"

status=0
for letter in a b; do
  user="learner-$letter-$$"
  useradd --create-home --shell /bin/bash "$user" || { echo "two_login_users: useradd refused $user"; exit 2; }
  users+=("$user")
  echo "== $user: a login shell's SSL_CERT_FILE is $(su - "$user" -c 'echo "${SSL_CERT_FILE:-unset}"')"
  chown -R "$user" "$share/workbook.git"  # git refuses to read a repository another user owns
  su - "$user" -c "git clone -q file://$share/workbook.git workbook" || { status=1; continue; }
  for target in demo test; do
    start=$SECONDS
    if su - "$user" -c "cd workbook && make $target" >"$share/$user-$target.log" 2>&1; then
      echo "== $user: make $target passed in $((SECONDS - start)) s; last lines:"
    else
      status=1
      echo "== $user: make $target FAILED in $((SECONDS - start)) s; last lines:"
    fi
    tail -n 6 "$share/$user-$target.log" | sed 's/^/   | /'
  done
  if pgrep -u "$user" >/dev/null; then
    status=1
    echo "== $user: processes left running:"
    pgrep -a -u "$user" | sed 's/^/   | /'
  fi
done
exit $status
