/**
 * The NOTIFICATION-PROGRAM that mkhost installs at <home>/bin/notify, so a new host's
 * shipping.conf names a program that exists (the original ships <home>/bin/notify too).
 * It takes the original's calling convention, `notify -s SUBJECT -f MESSAGE-FILE ADDRESS...`,
 * and appends each notice to <home>/log/notify.log. Sites that want real mail point
 * NOTIFICATION-PROGRAM at their mailer; the log keeps working without any mail set-up.
 */
export function notifyProgramText(logFile: string): string {
  return `#!/bin/sh
# notify: NOTIFICATION-PROGRAM installed by "multitool mkhost".
# Usage: notify -s SUBJECT -f MESSAGE-FILE ADDRESS...
# Appends the notice to ${logFile.replace(/\n/g, ' ')}
# To send real mail, point NOTIFICATION-PROGRAM in shipping.conf at your mailer instead.
log=${shellQuote(logFile)}
subject=
file=
while [ $# -gt 0 ]; do
  case "$1" in
    -s) subject=$2; shift 2 ;;
    -f) file=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "notify: unknown option $1 (use -s SUBJECT -f MESSAGE-FILE ADDRESS...)" >&2; exit 2 ;;
    *) break ;;
  esac
done
{
  printf 'Date: %s\\nTo: %s\\nSubject: %s\\n\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" "$subject"
  if [ -n "$file" ]; then cat -- "$file"; fi
  printf '\\n'
} >> "$log"
`;
}

/** Single-quotes a string for sh: the only character needing care inside '...' is ' itself. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
