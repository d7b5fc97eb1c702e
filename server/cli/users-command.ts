/**
 * `culturewatch users add|list|remove|set-password`: accounts in the service's database
 * (DATABASE_PATH, or --database; a postgres:// URL there or in DATABASE_URL for the scaled deployment). Without --password-stdin a one-time password is generated and
 * printed once; it must be changed at the first login. With it, the password is piped in, or typed
 * twice on a terminal.
 */
import { type Role, roles } from '../../contract/auth';
import { type AuthStore, prepareAuthStatements } from '../../db/auth-statements';
import { openDatabase } from '../../db/open-database';
import { pgAuthStore } from '../../db/pg/auth-store';
import { isPostgresUrl, openPostgres } from '../../db/pg/open-postgres';
import { Accounts, oneTimePassword } from '../auth/accounts';
import { loadConfig } from '../config';
import { HttpError } from '../http/http-error';
import { parseArguments, rejectUnknownOptions, stringOption } from './arguments';
import { readNewPassword } from './read-password';
import { UsageError } from './usage-error';

export async function usersCommand(argv: string[]): Promise<unknown> {
  const [action, ...rest] = argv;
  const args = parseArguments(rest, ['password-stdin']);
  rejectUnknownOptions(args, ['role', 'password-stdin', 'database']);
  const { database: configured } = loadConfig();
  const path = stringOption(args, 'database') ?? configured.url ?? configured.path;
  const store = await openAuthStore(path);
  try {
    const statements = store.statements;
    const accounts = new Accounts(statements);
    const name = args.positional[0];
    const needName = () => {
      if (name === undefined) throw new UsageError(`users ${action} needs a username`);
      return name;
    };
    const password = args.options.has('password-stdin') ? await readNewPassword() : undefined;
    switch (action) {
      case 'list':
        return await accounts.list();
      case 'add': {
        const role = stringOption(args, 'role');
        if (!roles.includes(role as Role)) throw new UsageError(`--role ${roles.join('|')} is required`);
        const created = await accounts.create(needName(), role as Role, password);
        return password === undefined ? created : { ...created, oneTimePassword: undefined };
      }
      case 'remove':
        await accounts.remove(needName());
        return { removed: name };
      case 'set-password': {
        const username = needName();
        if (!(await accounts.get(username))) throw new UsageError(`no account "${username}"`);
        const clear = password ?? oneTimePassword();
        await accounts.setPassword(username, clear, password === undefined);
        await statements.deleteOtherSessions(username, '');
        return password === undefined ? { username, oneTimePassword: clear } : { username };
      }
      default:
        throw new UsageError(
          'users add NAME --role viewer|operator [--password-stdin] | list | remove NAME | set-password NAME [--password-stdin]',
        );
    }
  } catch (error) {
    if (error instanceof HttpError) throw new UsageError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

async function openAuthStore(path: string): Promise<{ statements: AuthStore; close(): Promise<void> }> {
  if (isPostgresUrl(path)) {
    const postgres = await openPostgres(path, { applicationName: 'culturewatch users' });
    return { statements: pgAuthStore(postgres.pool), close: () => postgres.close() };
  }
  const database = openDatabase(path);
  return { statements: prepareAuthStatements(database.sqlite), close: async () => database.close() };
}
