# bash completion for ctxrun(1)                                  -*- shell-script -*-
# Options and their values until the command; after `--` or the first word that is not an
# option (or an option's value), the command and its own arguments. The first word may also
# be a subcommand, with options of its own.

_ctxrun_signals="HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM
STKFLT CHLD URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS RTMIN RTMAX"

_ctxrun_subcommands="remaining"

# `ctxrun remaining [--unit s|ms|go]`
_ctxrun_remaining()
{
    local option=$prev
    if [[ $cur == --*=* ]]; then
        option=${cur%%=*}
        cur=${cur#*=}
    elif [[ $prev != --unit ]]; then
        option=
    fi
    if [[ $option == --unit ]]; then
        COMPREPLY=($(compgen -W 's ms go' -- "$cur"))
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '--unit -h --help' -- "$cur"))
    fi
}

_ctxrun()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion -n = || return
    else
        # Without bash-completion: split the line on blanks, so --opt=value stays one word.
        local line=${COMP_LINE:0:COMP_POINT}
        read -ra words <<<"$line"
        [[ -z $line || $line == *[[:space:]] ]] && words+=("")
        cword=$((${#words[@]} - 1))
        cur=${words[cword]}
        prev=${words[cword - 1]}
    fi

    # Options that take a value in the next word.
    local with_value='-t|--timeout|-d|--deadline|-e|--value|-c|--command|-n|--names|-f|--jobs-file|-j|--jobs|--stop-on|--job-timeout|--retries|--retry-delay|--retry-backoff|-s|--signal|-g|-k|--grace|--kill-after|--output|--color|--report'
    local options='-t --timeout -d --deadline -e --value -c --command -n --names
        -f --jobs-file -j --jobs --stop-on --keep-going --job-timeout --retries
        --retry-delay --retry-backoff -s --signal -g -k --grace --kill-after
        --preserve-status --foreground --no-foreground --output --color --status
        --no-status --report -q --quiet -v --verbose -h --help -V --version'

    # Only the first word names a subcommand: `ctxrun -- remaining` runs a command.
    if ((cword > 1)) && [[ " $_ctxrun_subcommands " == *" ${words[1]} "* ]]; then
        "_ctxrun_${words[1]}"
        return
    fi

    # Where does the command start, if it has started?
    local i word command_at=0
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        if [[ $word == -- ]]; then
            command_at=$((i + 1))
            break
        elif [[ $word == @($with_value) ]]; then
            ((i++))
        elif [[ $word != -* ]]; then
            command_at=$i
            break
        fi
    done

    if ((command_at > 0)); then
        if ((command_at == cword)); then
            COMPREPLY=($(compgen -c -- "$cur"))
        elif declare -F _command_offset >/dev/null; then
            _command_offset "$command_at"
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return
    fi

    # --option=value in one word
    local option=$prev
    if [[ $cur == --*=* ]]; then
        option=${cur%%=*}
        cur=${cur#*=}
    elif [[ $prev != @($with_value) ]]; then
        option=
    fi

    case $option in
        --stop-on)
            COMPREPLY=($(compgen -W 'failure success first never' -- "$cur"))
            return ;;
        --output)
            COMPREPLY=($(compgen -W 'inherit prefix group raw' -- "$cur"))
            return ;;
        --color)
            COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
            return ;;
        -s | --signal)
            local sigs=$_ctxrun_signals
            [[ $cur == [Ss][Ii][Gg]* ]] && sigs=$(printf 'SIG%s ' $_ctxrun_signals)
            COMPREPLY=($(compgen -W "$sigs" -- "${cur^^}"))
            return ;;
        -f | --jobs-file | --report)
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return ;;
        -c | --command)
            COMPREPLY=($(compgen -c -- "$cur"))
            return ;;
        -e | --value)
            [[ $cur != *=* ]] && COMPREPLY=($(compgen -v -S = -- "$cur")) && compopt -o nospace 2>/dev/null
            return ;;
        -t | --timeout | -d | --deadline | -n | --names | -j | --jobs | --job-timeout | \
        --retries | --retry-delay | --retry-backoff | -g | --grace | --kill-after)
            return ;;  # a duration, time, number or names: nothing to offer
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    else
        COMPREPLY=($(compgen -c -- "$cur"))
        ((cword == 1)) && COMPREPLY+=($(compgen -W "$_ctxrun_subcommands" -- "$cur"))
    fi
} &&
    complete -F _ctxrun ctxrun

# ex: filetype=sh
