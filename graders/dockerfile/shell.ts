/**
 * Just enough of the POSIX shell to read a `RUN` line: the simple commands it runs, in order,
 * with their leading `NAME=value` assignments. Quotes and backslashes are honoured; `&&`, `||`,
 * `;`, `|`, `&`, newlines and parentheses separate commands; redirections and comments are
 * dropped. Substitutions (`$(...)`, backticks) stay inside their word, unexpanded.
 */

export interface SimpleCommand {
  /** `NAME=value` words written before the command name, as in `NODE_ENV=production npm ci`. */
  assignments: Map<string, string>;
  argv: string[];
}

const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

export function splitShell(script: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let skipNextWord = false;

  const endWord = () => {
    if (!inWord) return;
    if (skipNextWord) skipNextWord = false;
    else words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length === 0) return;
    const assignments = new Map<string, string>();
    let index = 0;
    for (; index < words.length; index++) {
      const match = assignment.exec(words[index]!);
      if (!match) break;
      assignments.set(match[1]!, match[2]!);
    }
    commands.push({ assignments, argv: words.slice(index) });
    words = [];
  };

  for (let index = 0; index < script.length; index++) {
    const char = script[index]!;
    const next = script[index + 1];
    if (char === "'") {
      const close = script.indexOf("'", index + 1);
      const end = close === -1 ? script.length : close;
      word += script.slice(index + 1, end);
      inWord = true;
      index = end;
    } else if (char === '"') {
      inWord = true;
      index++;
      for (; index < script.length && script[index] !== '"'; index++) {
        const inner = script[index]!;
        const after = script[index + 1];
        if (inner === '\\' && after !== undefined && '$`"\\\n'.includes(after)) {
          if (after !== '\n') word += after;
          index++;
        } else {
          word += inner;
        }
      }
    } else if (char === '\\') {
      if (next !== undefined && next !== '\n') {
        word += next;
        inWord = true;
      }
      index++;
    } else if (char === '#' && !inWord) {
      const newline = script.indexOf('\n', index);
      index = newline === -1 ? script.length : newline - 1;
    } else if (char === ' ' || char === '\t' || char === '\r') {
      endWord();
    } else if (char === '\n' || char === ';' || char === '&' || char === '|' || char === '(' || char === ')') {
      endCommand();
      if ((char === '&' || char === '|') && next === char) index++;
    } else if (char === '>' || char === '<') {
      // A redirection: `2>&1`, `> /dev/null`, `<<EOF`. Drop the file descriptor and the target.
      if (inWord && /^\d+$/.test(word)) {
        word = '';
        inWord = false;
      } else {
        endWord();
      }
      while (script[index + 1] === '>' || script[index + 1] === '<') index++;
      let duplicated = false;
      if (script[index + 1] === '&') {
        index++;
        while (/[\d-]/.test(script[index + 1] ?? '')) {
          index++;
          duplicated = true;
        }
      } else if (script[index + 1] === '-') {
        index++;
      }
      // `2>&1` names no file; every other redirection takes the next word as its target.
      skipNextWord = !duplicated;
    } else {
      word += char;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}
