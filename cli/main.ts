import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@homeiq/core';
import { PRIVATE_UMASK } from '@homeiq/core/private-files';

/** Each file in cli/commands/ is a command: it exports `summary` and `run(args)`. */
export interface CommandModule {
  summary: string;
  usage?: string;
  run(args: string[]): Promise<number | undefined>;
}

const commandsDir = fileURLToPath(new URL('./commands/', import.meta.url));

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function help(): Promise<void> {
  const lines = ['Usage: homeiq <command> [options]', '', 'Commands:'];
  for (const name of commandNames()) {
    const mod = (await import(`./commands/${name}.ts`)) as CommandModule;
    lines.push(`  ${name.padEnd(12)} ${mod.summary}`);
  }
  lines.push(
    '',
    'Run `homeiq <command> --help` for its options. Configuration comes from environment variables (see README).',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(argv: string[]): Promise<number> {
  // Every file HomeIQ creates (databases, spool, backups, keys) is for its own user only.
  process.umask(PRIVATE_UMASK);
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await help();
    return name ? 0 : 1;
  }
  if (!/^[a-z-]+$/.test(name) || !existsSync(`${commandsDir}${name}.ts`)) {
    process.stderr.write(`homeiq: unknown command "${name}"\n`);
    await help();
    return 2;
  }
  const mod = (await import(`./commands/${name}.ts`)) as CommandModule;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${mod.usage ?? `homeiq ${name}`}\n\n${mod.summary}\n`);
    return 0;
  }
  return (await mod.run(args)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`homeiq: ${error.message}\n`);
    else process.stderr.write(`homeiq: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = error instanceof ConfigError ? 78 : 1;
  },
);
