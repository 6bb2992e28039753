/**
 * Reads what the image's last stage is made of from the Dockerfile, so the staging test builds the same
 * file set without a container engine. Only the forms our Dockerfile uses are understood; anything else in
 * the last stage fails loudly, so a Dockerfile change cannot silently escape the test.
 */
import * as fs from 'fs';

export interface Copy {
  /** Build stage the files come from; undefined = the build context (the repository). */
  from?: string;
  source: string;
  /** Absolute path in the image. */
  dest: string;
}

export interface FinalStage {
  /** The base image, `ARG` defaults substituted (e.g. node:24-bookworm-slim). */
  baseImage: string;
  workdir: string;
  copies: Copy[];
  /** `ln -s target link` in RUN lines. */
  links: Array<{ target: string; link: string }>;
  /** `chmod MODE path` in RUN lines. */
  chmods: Array<{ mode: number; path: string }>;
  /** The RUN lines that only install OS packages (apt-get), which the staging does not replay. */
  osPackageRuns: string[];
  env: Record<string, string>;
  entrypoint: string[];
}

/** Dockerfile lines with `\` continuations joined and comments dropped. */
function instructions(text: string): string[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export function readFinalStage(dockerfile: string): FinalStage {
  const lines = instructions(fs.readFileSync(dockerfile, 'utf8'));
  const args: Record<string, string> = {};
  const substitute = (value: string) => value.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a?: string, b?: string) => args[a ?? b ?? ''] ?? whole);

  // Only the last stage is the image; earlier stages are reached through its COPY --from lines.
  let last: { from: string; body: string[] } | undefined;
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() === 'ARG' && !last) {
      const [name, value] = rest.join(' ').split('=');
      if (value !== undefined) args[name] = value;
    } else if (keyword.toUpperCase() === 'FROM') {
      last = { from: substitute(rest[0]), body: [] };
    } else if (!last) {
      throw new Error(`Dockerfile: ${keyword} before FROM`);
    } else {
      last.body.push(line);
    }
  }
  if (!last) throw new Error('Dockerfile has no FROM');
  const stage: FinalStage = { baseImage: last.from, workdir: '/', copies: [], links: [], chmods: [], osPackageRuns: [], env: {}, entrypoint: [] };
  for (const line of last.body) {
    const [keyword, ...rest] = line.split(/\s+/);
    applyInstruction(stage, keyword.toUpperCase(), rest.join(' '), line);
  }
  return stage;
}

function applyInstruction(stage: FinalStage, keyword: string, body: string, line: string): void {
  const inWorkdir = (p: string) => (p.startsWith('/') ? p : `${stage.workdir.replace(/\/$/, '')}/${p.replace(/^\.\//, '')}`);
  switch (keyword) {
    case 'WORKDIR':
      stage.workdir = body;
      return;
    case 'COPY': {
      const words = body.split(/\s+/);
      const from = words[0].startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
      if (words.length !== 2 || words.some((word) => word.startsWith('--'))) throw new Error(`Dockerfile: unsupported COPY form: ${line}`);
      stage.copies.push({ from, source: words[0], dest: inWorkdir(words[1]).replace(/\/$/, '') });
      return;
    }
    case 'RUN':
      for (const command of body.split('&&').map((part) => part.trim())) {
        const ln = /^ln -s (\S+) (\S+)$/.exec(command);
        const chmod = /^chmod ([0-7]{3,4}) (\S+)$/.exec(command);
        if (ln) stage.links.push({ target: ln[1], link: ln[2] });
        else if (chmod) stage.chmods.push({ mode: parseInt(chmod[1], 8), path: chmod[2] });
        else if (/^(apt-get |rm -rf \/var\/lib\/apt\/lists)/.test(command)) stage.osPackageRuns.push(command);
        else throw new Error(`Dockerfile: the staging test cannot replay "${command}" in the last stage`);
      }
      return;
    case 'ENV': {
      const [name, ...value] = body.split('=');
      stage.env[name] = value.join('=');
      return;
    }
    case 'ENTRYPOINT':
      stage.entrypoint = JSON.parse(body) as string[];
      return;
    case 'LABEL':
    case 'USER':
    case 'EXPOSE':
      return;
    default:
      throw new Error(`Dockerfile: unsupported instruction in the last stage: ${line}`);
  }
}

/** The Node major of the image's base (`node:24-...` → 24). */
export function nodeMajor(baseImage: string): number {
  const match = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)/.exec(baseImage);
  if (!match) throw new Error(`base image ${baseImage} is not an official node image`);
  return Number(match[1]);
}
