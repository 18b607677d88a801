/**
 * `contexta completion bash|zsh|fish`: a completion script generated from the command
 * tree itself, so it never lists a command or flag that does not exist.
 */
import type { Command } from 'commander';
import * as z from 'zod/mini';
import { buildProgram } from '../cli/program';
import type { CliContext, RawOptions } from './context';
import { parseOptions } from './options';

export const CompletionOptions = z.object({ shell: z.enum(['bash', 'zsh', 'fish']) });
export type CompletionOptions = z.infer<typeof CompletionOptions>;

interface Node {
  path: string[];
  description: string;
  subcommands: string[];
  options: { flag: string; description: string; takesValue: boolean }[];
}

/** Every command path with its subcommands and long options (help included). */
export function commandTree(program: Command): Node[] {
  const nodes: Node[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const options = cmd.options
      .filter((o) => o.long)
      .map((o) => ({ flag: o.long!, description: o.description, takesValue: o.required || o.optional }));
    options.push({ flag: '--help', description: 'show help', takesValue: false });
    const subs = cmd.commands.filter((c) => c.name() !== 'help');
    nodes.push({ path, description: cmd.description(), subcommands: subs.map((c) => c.name()), options });
    for (const sub of subs) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return nodes;
}

const shellWords = (words: string[]) => words.join(' ');

export function bashScript(nodes: Node[]): string {
  const paths = nodes.filter((n) => n.path.length).map((n) => `"${n.path.join(' ')}"`);
  const cases = nodes
    .map((n) => `    "${n.path.join(' ')}") words=(${shellWords([...n.subcommands, ...(n.path.length === 0 ? ['help'] : []), ...n.options.map((o) => o.flag)])}) ;;`)
    .join('\n');
  return `# contexta completion for bash (zsh: contexta completion zsh)
# Install: contexta completion bash > ~/.local/share/bash-completion/completions/contexta
#      or: echo 'source <(contexta completion bash)' >> ~/.bashrc
_contexta() {
  # zsh (bashcompinit) numbers arrays from 1; bash, and this function, from 0.
  if [[ -n "\${ZSH_VERSION-}" ]]; then setopt localoptions ksharrays; fi
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmdpath="" w i
  local -a words=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    # After --, contexta exec runs a command of its own: complete files and commands.
    if [[ "$w" == "--" ]]; then return 0; fi
    case "\${cmdpath:+$cmdpath }$w" in
      ${paths.join('|')}) cmdpath="\${cmdpath:+$cmdpath }$w" ;;
    esac
  done
  case "$cmdpath" in
${cases}
  esac
  # Prefix match by hand: zsh's compgen emulation does not work under ksharrays.
  COMPREPLY=()
  for w in "\${words[@]}"; do
    if [[ "$w" == "$cur"* ]]; then COMPREPLY+=("$w"); fi
  done
}
complete -o default -o bashdefault -F _contexta contexta
`;
}

export function zshScript(nodes: Node[]): string {
  return `#compdef contexta
# contexta completion for zsh, through zsh's bash-completion layer.
# Install: contexta completion zsh > "\${fpath[1]}/_contexta"   or: source <(contexta completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(nodes).split('\n').filter((l) => !l.startsWith('#')).join('\n')}`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function fishScript(nodes: Node[]): string {
  const lines = ['# contexta completion for fish', '# Install: contexta completion fish > ~/.config/fish/completions/contexta.fish', 'complete -c contexta -f'];
  for (const node of nodes) {
    // Fish sees the words typed so far: this node applies when its path is typed and none of its subcommands yet.
    const seen = node.path.map((word) => `__fish_seen_subcommand_from ${word}`);
    const notYet = node.subcommands.length ? [`not __fish_seen_subcommand_from ${node.subcommands.join(' ')}`] : [];
    const condition = node.path.length ? [...seen, ...notYet].join('; and ') : '__fish_use_subcommand';
    const subNodes = nodes.filter((n) => n.path.length === node.path.length + 1 && node.path.every((w, i) => n.path[i] === w));
    for (const sub of subNodes) {
      lines.push(`complete -c contexta -n ${fishQuote(condition)} -a ${sub.path[sub.path.length - 1]} -d ${fishQuote(sub.description)}`);
    }
    const optionCondition = node.path.length ? [...seen, ...notYet].join('; and ') : '__fish_use_subcommand';
    for (const o of node.options) {
      lines.push(`complete -c contexta -n ${fishQuote(optionCondition)} -l ${o.flag.slice(2)}${o.takesValue ? ' -r' : ''} -d ${fishQuote(o.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completion(ctx: CliContext, raw: RawOptions): number {
  const opts = parseOptions(CompletionOptions, raw, ['shell']);
  const nodes = commandTree(buildProgram(ctx, { exitCode: 0 }));
  const script = opts.shell === 'bash' ? bashScript(nodes) : opts.shell === 'zsh' ? zshScript(nodes) : fishScript(nodes);
  ctx.stdout.write(script);
  return 0;
}
