# bash completion for homeexpose(8)                      -*- shell-script -*-
# SPDX-License-Identifier: MIT
#
# Keep in step with cmd/homeexpose.c (commands, global options) and the
# getopt tables in cmd/*.c. Names come from the files, not from running
# homeexpose: exposure names from the exposures directory, service names
# from the [sections] of the catalog profiles, ddns record names from the
# [ddns NAME] sections of the configuration.

# Print the value of "key" in section [sect] of an INI file (last one wins).
_homeexpose_ini_get()
{
    local file=$1 sect=$2 key=$3 line cur_sect="" val=""
    [[ -r $file ]] || return 1
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line#"${line%%[![:space:]]*}"}
        case $line in
            '#'* | ';'* | '') continue ;;
            '['*']'*)
                cur_sect=${line#[}
                cur_sect=${cur_sect%%]*}
                continue
                ;;
        esac
        [[ $cur_sect == "$sect" ]] || continue
        if [[ $line =~ ^([^=:[:space:]]+)[[:space:]]*[=:][[:space:]]*(.*)$ ]] &&
            [[ ${BASH_REMATCH[1]} == "$key" ]]; then
            val=${BASH_REMATCH[2]}
            val=${val%%[[:space:]];*}
            val=${val%"${val##*[![:space:]]}"}
        fi
    done <"$file"
    [[ -n $val ]] && printf '%s\n' "$val"
}

# The configuration file in effect: -c/--config on the line, else
# $HOMEEXPOSE_CONFIG, else the default.
_homeexpose_config_file()
{
    local i w cfg=""
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        ((i == COMP_CWORD)) && continue
        case $w in
            -c | --config)
                cfg=${COMP_WORDS[i + 1]-}
                [[ $cfg == = ]] && cfg=${COMP_WORDS[i + 2]-}
                ;;
            --config=*) cfg=${w#--config=} ;;
            -c?*) cfg=${w#-c} ;;
        esac
    done
    [[ -z $cfg ]] && cfg=${HOMEEXPOSE_CONFIG:-/etc/homeexpose/homeexpose.conf}
    # shellcheck disable=SC2088 # a literal ~ as typed on the command line
    [[ $cfg == "~/"* ]] && cfg=$HOME/${cfg#"~/"}
    printf '%s\n' "$cfg"
}

# Directory named by [general] KEY, else DEFAULT.
_homeexpose_dir()
{
    local cfg=$1 key=$2 def=$3 v
    v=$(_homeexpose_ini_get "$cfg" general "$key")
    printf '%s\n' "${v:-$def}"
}

_homeexpose_cfgdir()
{
    local cfg=$1 d=.
    if [[ $cfg == */* ]]; then
        d=${cfg%/*}
        [[ -z $d ]] && d=/
    fi
    printf '%s\n' "$d"
}

# Exposure names: EXPOSURES_DIR/*.conf without the suffix.
_homeexpose_exposures()
{
    local cfg dir f names=()
    cfg=$(_homeexpose_config_file)
    dir=$(_homeexpose_dir "$cfg" exposures-dir "$(_homeexpose_cfgdir "$cfg")/exposures.d")
    for f in "$dir"/*.conf; do
        [[ -f $f ]] || continue
        f=${f##*/}
        names+=("${f%.conf}")
    done
    printf '%s\n' "${names[@]}"
}

# Section names of every profile file in the shipped and local catalogs.
_homeexpose_profiles()
{
    local cfg cdir sdir d f line
    local -a dirs
    cfg=$(_homeexpose_config_file)
    cdir=$(_homeexpose_ini_get "$cfg" general catalog-dir)
    if [[ -n $cdir ]]; then
        dirs=("$cdir")
    else
        dirs=(/usr/share/homeexpose/services /usr/local/share/homeexpose/services)
    fi
    sdir=$(_homeexpose_dir "$cfg" services-dir "$(_homeexpose_cfgdir "$cfg")/services")
    dirs+=("$sdir")
    for d in "${dirs[@]}"; do
        for f in "$d"/*.conf; do
            [[ -f $f && -r $f ]] || continue
            while IFS= read -r line || [[ -n $line ]]; do
                if [[ $line =~ ^[[:space:]]*\[([A-Za-z0-9][A-Za-z0-9._-]*)\] ]]; then
                    printf '%s\n' "${BASH_REMATCH[1]}"
                fi
            done <"$f"
        done
    done | sort -u
}

# [ddns NAME] record names of the configuration.
_homeexpose_ddns_records()
{
    local cfg line
    cfg=$(_homeexpose_config_file)
    [[ -r $cfg ]] || return 0
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line =~ ^[[:space:]]*\[ddns[[:space:]]+([A-Za-z0-9._-]+)\] ]]; then
            printf '%s\n' "${BASH_REMATCH[1]}"
        fi
    done <"$cfg"
}

_homeexpose_reply()
{
    # $1: candidates, separated by spaces or newlines; $2: the word so far
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_homeexpose_files()
{
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

# When the word is "--opt=val" or "-cval" as a whole (no '=' in
# COMP_WORDBREAKS, or the short form), put the "--opt=" or "-c" back.
_homeexpose_prefix()
{
    local cur=$1 val=$2 i
    [[ $cur != = && $cur != "$val" && $cur == *"$val" ]] || return 0
    for i in "${!COMPREPLY[@]}"; do
        COMPREPLY[i]=${cur%"$val"}${COMPREPLY[i]}
    done
}

_homeexpose()
{
    local cur prev cmd="" i w nargs=0 sub=""
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

    local global_opts="-c --config --json -v --verbose -q --quiet -h --help -V --version"
    local common_opts="-c --config --json -v --verbose -q --quiet -h --help"
    local commands="open close list check netcheck ddns services agent reflector config firewall"
    commands+=" help"
    commands+=" status"
    global_opts+=" --color"
    common_opts+=" --color"

    # Find the command, and count its positional arguments before the cursor.
    local -a args=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            -c | --config | --lease | --to | --protocol | --listen | --key-file | --timeout | --log-level | --rate | --via-socks)
                # the option's argument; "--opt=value" is split at '=' by bash
                [[ ${COMP_WORDS[i + 1]-} == = ]] && ((i++))
                ((i++))
                continue
                ;;
            --color)
                # optional argument: only as --color=WHEN
                [[ ${COMP_WORDS[i + 1]-} == = ]] && ((i += 2))
                continue
                ;;
            =) continue ;;
            -*) continue ;;
        esac
        if [[ -z $cmd ]]; then
            cmd=$w
        else
            args+=("$w")
        fi
    done
    nargs=${#args[@]}
    ((nargs > 0)) && sub=${args[0]}

    # Option arguments, also as --opt=value.
    local opt=$prev val=$cur
    if [[ $cur == = && $prev == --* ]]; then
        val=""
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        opt=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        val=${cur#*=}
    elif [[ $cur == -c?* ]]; then
        opt=-c
        val=${cur#-c}
    fi
    case $opt in
        -c | --config | --key-file)
            _homeexpose_files "$val"
            _homeexpose_prefix "$cur" "$val"
            return 0
            ;;
        --color)
            if [[ $cur == = || $prev == = || $cur == --color=* ]]; then
                _homeexpose_reply "auto always never" "$val"
                _homeexpose_prefix "$cur" "$val"
                return 0
            fi
            ;;
        --protocol)
            _homeexpose_reply "pcp natpmp upnp" "$val"
            _homeexpose_prefix "$cur" "$val"
            return 0
            ;;
        --log-level)
            _homeexpose_reply "error warning info debug" "$val"
            _homeexpose_prefix "$cur" "$val"
            return 0
            ;;
        --lease | --to | --listen | --timeout | --rate | --via-socks)
            return 0
            ;;
    esac
    [[ $cur == --*=* ]] && return 0

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            _homeexpose_reply "$global_opts" "$cur"
        else
            _homeexpose_reply "$commands" "$cur"
        fi
        return 0
    fi

    local opts=$common_opts
    case $cmd in
        open)
            opts+=" --lease --no-router --no-firewall --ipv4-only --ipv6-only --to"
            opts+=" --protocol --force --no-check --dry-run"
            ;;
        close) opts+=" --force --dry-run" ;;
        check) opts+=" --via-socks" ;;
        list) opts+=" --router --protocol" ;;
        netcheck) opts+=" --protocol --ipv4-only --ipv6-only --no-router --timeout" ;;
        agent) opts+=" --foreground --once --no-announce --no-netlink --no-control --log-level" ;;
        ddns) opts+=" --force --dry-run --provider --hostname" ;;
        reflector) opts+=" --listen --key-file --rate --allow-private --cert --key" ;;
        firewall) opts+=" --remove" ;;
    esac
    if [[ $cur == -* ]]; then
        _homeexpose_reply "$opts" "$cur"
        return 0
    fi

    case $cmd in
        open)
            # SERVICE first; a PORTSPEC or the NAME is typed freely.
            ((nargs == 0)) && _homeexpose_reply "$(_homeexpose_profiles)" "$cur"
            ;;
        services)
            ((nargs == 0)) && _homeexpose_reply "$(_homeexpose_profiles)" "$cur"
            ;;
        close | check)
            # an exposure's name, or a SERVICE (read as open reads it)
            ((nargs == 0)) && _homeexpose_reply "$(_homeexpose_exposures) $(_homeexpose_profiles)" "$cur"
            ;;
        ddns)
            if ((nargs == 0)); then
                _homeexpose_reply "update status providers add import" "$cur"
            elif ((nargs == 1)) && [[ $sub == update ]]; then
                _homeexpose_reply "$(_homeexpose_ddns_records)" "$cur"
            elif ((nargs == 1)) && [[ $sub == import ]]; then
                _homeexpose_files "$cur" # a ddclient.conf or an inadyn.conf
            fi
            ;;
        config)
            ((nargs == 0)) && _homeexpose_reply "check" "$cur"
            ;;
        help)
            ((nargs == 0)) && _homeexpose_reply "$commands" "$cur"
            ;;
        firewall)
            if ((nargs == 0)); then
                _homeexpose_reply "integrate status" "$cur"
            elif ((nargs == 1)) && [[ $sub == integrate ]]; then
                _homeexpose_reply "inet ip ip6" "$cur"
            fi
            ;;
    esac
    return 0
} &&
    complete -F _homeexpose homeexpose

# ex: filetype=sh
