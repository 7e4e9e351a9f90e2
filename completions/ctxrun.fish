# fish completion for ctxrun(1): options and their values until the command; after `--` or
# the first word that is not an option (or an option's value), the command and its arguments.
# The first word may also be a subcommand, with options of its own.

# Options that take a value in the next word.
set -l __ctxrun_with_value -t --timeout -d --deadline -e --value -c --command -n --names \
    -f --jobs-file -j --jobs --stop-on --job-timeout --retries --retry-delay --retry-backoff \
    -s --signal -g --grace --kill-after --output --color --report

# True once the command has started: after `--` or a word that is not an option or a value.
function __ctxrun_command_started -V __ctxrun_with_value
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        set -l token $tokens[1]
        set -e tokens[1]
        if test "$token" = --
            return 0
        else if contains -- $token $__ctxrun_with_value
            set -e tokens[1]
        else if not string match -q -- '-*' $token
            return 0
        end
    end
    return 1
end

set -l options 'not __ctxrun_command_started'
set -l signals HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT \
    CHLD URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS RTMIN RTMAX

complete -c ctxrun -f
complete -c ctxrun -n $options -s h -l help -d 'Print the help and exit'
complete -c ctxrun -n $options -s V -l version -d 'Print the version and exit'
complete -c ctxrun -n $options -s t -l timeout -x -d 'Deadline relative to now (300ms, 1.5s, 2h45m; 0: none)'
complete -c ctxrun -n $options -s d -l deadline -x -d 'Absolute deadline: RFC 3339, @UNIXSECONDS, HH:MM[:SS]'
complete -c ctxrun -n $options -s e -l value -x -a '(set -n | string replace -r "\$" =)' -d 'KEY=VALUE for every job'
complete -c ctxrun -n $options -s c -l command -x -a '(__fish_complete_command)' -d 'A job, run as sh -c CMD'
complete -c ctxrun -n $options -s n -l names -x -d 'Names for the jobs, in order: a,b,c'
complete -c ctxrun -n $options -s f -l jobs-file -r -F -d 'Jobs one a line (- for stdin)'
complete -c ctxrun -n $options -s j -l jobs -x -d 'At most N jobs at once'
complete -c ctxrun -n $options -l stop-on -x -a 'failure success first never' -d 'When to stop the other jobs'
complete -c ctxrun -n $options -l keep-going -d 'Run every job (--stop-on never)'
complete -c ctxrun -n $options -l job-timeout -x -d "Each attempt's own deadline"
complete -c ctxrun -n $options -l retries -x -d 'Run a failed job up to N more times'
complete -c ctxrun -n $options -l retry-delay -x -d 'Delay before the first retry'
complete -c ctxrun -n $options -l retry-backoff -x -d 'Factor by which each further delay grows'
complete -c ctxrun -n $options -s s -l signal -x -a "$signals" -d 'First signal of the termination sequence'
complete -c ctxrun -n $options -s g -l grace -x -d 'Time from the first signal to SIGKILL'
complete -c ctxrun -n $options -s k -l kill-after -x -d 'Same as --grace, as in timeout(1)'
complete -c ctxrun -n $options -l preserve-status -d "On deadline, exit with the command's own status"
complete -c ctxrun -n $options -l foreground -d 'Give the one command the terminal'
complete -c ctxrun -n $options -l no-foreground -d 'Never give the command the terminal'
complete -c ctxrun -n $options -l output -x -a 'inherit prefix group raw' -d 'How job output is shown'
complete -c ctxrun -n $options -l color -x -a 'auto always never' -d 'When to use colors'
complete -c ctxrun -n $options -l status -d 'Show the live status line'
complete -c ctxrun -n $options -l no-status -d 'Never show the status line'
complete -c ctxrun -n $options -l report -r -F -d 'Write a JSON report of the run to FILE'
complete -c ctxrun -n $options -s q -l quiet -d 'No summary when everything succeeded'
complete -c ctxrun -n $options -s v -l verbose -d 'Print each start, end and signal sent'

# Only the first word names a subcommand: `ctxrun -- remaining` runs a command.
function __ctxrun_first_word
    test (count (commandline -opc)) -eq 1
end

function __ctxrun_subcommand -a name
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 2; and test "$tokens[2]" = "$name"
end

complete -c ctxrun -n __ctxrun_first_word -a remaining -d 'Print the time left in the inherited context'
complete -c ctxrun -n '__ctxrun_subcommand remaining' -s h -l help -d 'Print the help and exit'
complete -c ctxrun -n '__ctxrun_subcommand remaining' -l unit -x -a 's\t"seconds, as in 4.25 (default)" ms\t"whole milliseconds" go\t"a Go duration, as in 1m30s"' -d 'How to write the time left'

# The command, then whatever completes its own arguments.
complete -c ctxrun -n 'not __ctxrun_subcommand remaining' -x -a "(__fish_complete_subcommand -- $__ctxrun_with_value)"
