/**
 * Shell completion scripts for bash, zsh and fish, written from the commands' own flag definitions (the
 * oclif manifest), so they cannot drift from the CLI. Completed: command names, flag names, the fixed
 * choices of a flag (`--scores logits|probs`), and file names for arguments and other flag values.
 */

/** A flag as completion needs it. */
export interface CompletionFlag {
  name: string
  char?: string
  description: string
  /** Takes a value (`--gammas 0,2`); false for a switch (`--json`). */
  takesValue: boolean
  /** The value's fixed choices, if any. */
  options?: readonly string[]
  /** A switch that also has a `--no-` form. */
  allowNo?: boolean
}

/** A command as completion needs it. */
export interface CompletionCommand {
  id: string
  summary: string
  flags: CompletionFlag[]
  /** What its arguments are: files, command names (help), or shell names (completion). */
  args: 'files' | 'commands' | 'shells' | 'none'
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

/** The first clause of a description, at most `max` characters: a hint, not the help text. */
function shortText(text: string, max = 60): string {
  const first = text
    .split('\n')[0]
    .split(/(?<=[.;:])\s|\s\(/)[0]
    .trim()
  return first.length <= max ? first : `${first.slice(0, max - 1).trimEnd()}…`
}

/** Every name a flag answers to on the command line. */
function flagWords(flag: CompletionFlag): string[] {
  return [
    `--${flag.name}`,
    ...(flag.allowNo ? [`--no-${flag.name}`] : []),
    ...(flag.char === undefined ? [] : [`-${flag.char}`]),
  ]
}

/** A string as one single-quoted shell word (bash and zsh). */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

function bash(bin: string, commands: CompletionCommand[]): string {
  const ids = commands.map((c) => c.id).join(' ')
  const fn = `_${bin.replaceAll(/\W/g, '_')}_complete`
  const flagCases = commands.map((c) => `    ${c.id}) flags=${quote(c.flags.flatMap(flagWords).join(' '))} ;;`)
  const valueCases = commands.flatMap((c) =>
    c.flags
      .filter((f) => f.takesValue)
      .map((f) => {
        const words = [`--${f.name}`, ...(f.char === undefined ? [] : [`-${f.char}`])]
        const pattern = words.map((w) => quote(`${c.id} ${w}`)).join('|')
        const reply = f.options
          ? `COMPREPLY=($(compgen -W ${quote(f.options.join(' '))} -- "$cur"))`
          : 'COMPREPLY=($(compgen -f -- "$cur"))'
        return `    ${pattern}) ${reply}; return ;;`
      }),
  )
  const argCases = commands
    .filter((c) => c.args !== 'files')
    .map((c) => {
      const words = c.args === 'commands' ? ids : c.args === 'shells' ? SHELLS.join(' ') : ''
      return `    ${c.id}) COMPREPLY=($(compgen -W ${quote(words)} -- "$cur")); return ;;`
    })
  return `# ${bin} completion for bash. Load it in ~/.bashrc:
#   eval "$(${bin} completion bash)"
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} flags=''
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=($(compgen -W ${quote(`${ids} --help --version`)} -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]} $prev" in
${valueCases.join('\n')}
  esac
  case "\${COMP_WORDS[1]}" in
${flagCases.join('\n')}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags --help" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${argCases.join('\n')}
  esac
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F ${fn} ${bin}
`
}

/** Text inside a zsh _arguments spec's [description]. */
function zshDescription(text: string): string {
  return shortText(text).replaceAll(/[[\]:\\]/g, (c) => `\\${c}`)
}

function zsh(bin: string, commands: CompletionCommand[]): string {
  const fn = `_${bin.replaceAll(/\W/g, '_')}`
  const list = commands.map((c) => quote(`${c.id}:${shortText(c.summary).replaceAll(':', '\\:')}`)).join(' ')
  const cases = commands.map((c) => {
    const specs = c.flags.flatMap((f) => {
      const description = zshDescription(f.description)
      if (!f.takesValue) {
        return [
          quote(`--${f.name}[${description}]`),
          ...(f.allowNo ? [quote(`--no-${f.name}[${description}]`)] : []),
          ...(f.char === undefined ? [] : [quote(`-${f.char}[${description}]`)]),
        ]
      }
      const action = f.options ? `(${f.options.join(' ')})` : '_files'
      return [
        quote(`--${f.name}=[${description}]:${f.name}:${action}`),
        ...(f.char === undefined ? [] : [quote(`-${f.char}+[${description}]:${f.name}:${action}`)]),
      ]
    })
    const rest =
      c.args === 'files'
        ? quote('*:file:_files')
        : c.args === 'commands'
          ? quote(`1:command:(${commands.map((x) => x.id).join(' ')})`)
          : c.args === 'shells'
            ? quote(`1:shell:(${SHELLS.join(' ')})`)
            : ''
    return `    ${c.id})\n      _arguments -s ${[...specs, quote('--help[show help]'), rest].filter((s) => s !== '').join(' \\\n        ')}\n      ;;`
  })
  return `#compdef ${bin}
# ${bin} completion for zsh. Load it in ~/.zshrc (after compinit):
#   eval "$(${bin} completion zsh)"
${fn}() {
  local -a commands
  commands=(${list})
  if (( CURRENT == 2 )); then
    _describe command commands
    return
  fi
  local command=$words[2]
  shift words
  (( CURRENT-- ))
  case $command in
${cases.join('\n')}
  esac
}
compdef ${fn} ${bin}
`
}

/** A string as one single-quoted fish word. */
function fishQuote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

function fish(bin: string, commands: CompletionCommand[]): string {
  const lines = [
    `# ${bin} completion for fish. Load it in ~/.config/fish/config.fish:`,
    `#   ${bin} completion fish | source`,
    ...commands.map(
      (c) => `complete -c ${bin} -n __fish_use_subcommand -f -a ${c.id} -d ${fishQuote(shortText(c.summary))}`,
    ),
  ]
  for (const c of commands) {
    const when = `-n ${fishQuote(`__fish_seen_subcommand_from ${c.id}`)}`
    if (c.args === 'commands')
      lines.push(`complete -c ${bin} ${when} -f -a ${fishQuote(commands.map((x) => x.id).join(' '))}`)
    if (c.args === 'shells') lines.push(`complete -c ${bin} ${when} -f -a ${fishQuote(SHELLS.join(' '))}`)
    for (const f of c.flags) {
      const short = f.char === undefined ? '' : ` -s ${f.char}`
      const value = !f.takesValue ? '' : f.options ? ` -x -a ${fishQuote(f.options.join(' '))}` : ' -r -F'
      lines.push(`complete -c ${bin} ${when} -l ${f.name}${short}${value} -d ${fishQuote(shortText(f.description))}`)
      if (f.allowNo) lines.push(`complete -c ${bin} ${when} -l no-${f.name} -d ${fishQuote(shortText(f.description))}`)
    }
  }
  return `${lines.join('\n')}\n`
}

/**
 * The completion script for `shell`.
 *
 * Example: `completionScript('bash', 'focalscope', commands)` ends with
 * `complete -o filenames -F _focalscope_complete focalscope`.
 */
export function completionScript(shell: Shell, bin: string, commands: CompletionCommand[]): string {
  const sorted = [...commands].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return shell === 'bash' ? bash(bin, sorted) : shell === 'zsh' ? zsh(bin, sorted) : fish(bin, sorted)
}
