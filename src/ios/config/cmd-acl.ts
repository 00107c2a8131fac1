/** Access lists: `access-list N ...`, `ip access-list standard|extended NAME` and its sub-mode. */
import { type Cursor, ParseFail } from '../cli/cursor.js';
import { type AclRuleBody, readAction, readExtendedBody, readStandardBody } from './acl-syntax.js';
import { Grammar, type Effect, type EngineState } from './grammar.js';
import type { AccessList, AclEntry, RouterConfig } from './types.js';

const MAX_SEQ = 2147483647;

/** The kind a numbered list has: 1-99 and 1300-1999 standard, 100-199 and 2000-2699 extended. */
export function numberedAclKind(n: number): 'standard' | 'extended' | null {
  if ((n >= 1 && n <= 99) || (n >= 1300 && n <= 1999)) return 'standard';
  if ((n >= 100 && n <= 199) || (n >= 2000 && n <= 2699)) return 'extended';
  return null;
}

function readAclNumber(cursor: Cursor): { n: number; kind: 'standard' | 'extended' } {
  const token = cursor.peek();
  if (!token) throw cursor.incomplete();
  const n = /^\d{1,4}$/.test(token.text) ? Number(token.text) : NaN;
  const kind = numberedAclKind(n);
  if (!kind) throw new ParseFail('invalid', token.start, '', `"${token.text}" is not an access-list number (1-199, 1300-2699)`);
  cursor.word();
  return { n, kind };
}

function getOrCreate(config: RouterConfig, name: string, kind: 'standard' | 'extended', numbered: boolean): AccessList {
  const existing = config.accessLists.find((a) => a.name === name);
  if (existing) {
    if (existing.kind !== kind) {
      throw new ParseFail('value', 0, `% Access-list ${name} is an ${existing.kind} list, not ${kind}`);
    }
    return existing;
  }
  const acl: AccessList = { name, kind, numbered, entries: [] };
  config.accessLists.push(acl);
  return acl;
}

/** An entry's rule as text, made once per entry: a list of hundreds of lines compares each new line with every entry. */
const ruleKeys = new WeakMap<AclEntry, string>();

function ruleKey(a: AclEntry): string {
  let key = ruleKeys.get(a);
  if (key === undefined) {
    const { seq: _seq, type: _type, ...body } = a;
    key = JSON.stringify(body);
    ruleKeys.set(a, key);
  }
  return key;
}

function sameRule(a: AclEntry, b: AclRuleBody, bKey = JSON.stringify(b)): boolean {
  return a.type === 'rule' && ruleKey(a) === bKey;
}

function nextSeq(acl: AccessList): number {
  const last = acl.entries[acl.entries.length - 1];
  return last ? Math.min(MAX_SEQ, last.seq + 10) : 10;
}

function insertEntry(acl: AccessList, entry: AclEntry): void {
  if (acl.entries.some((e) => e.seq === entry.seq)) throw new ParseFail('value', 0, '% Duplicate sequence number');
  const at = acl.entries.findIndex((e) => e.seq > entry.seq);
  if (at < 0) acl.entries.push(entry);
  else acl.entries.splice(at, 0, entry);
}

function addRule(acl: AccessList, body: AclRuleBody, seq: number | undefined): void {
  // IOS keeps one copy of an identical entry.
  const key = JSON.stringify(body);
  if (acl.entries.some((e) => sameRule(e, body, key))) return;
  insertEntry(acl, { type: 'rule', seq: seq ?? nextSeq(acl), ...body });
}

function readBody(cursor: Cursor, kind: 'standard' | 'extended'): AclRuleBody {
  const action = readAction(cursor);
  return kind === 'standard' ? readStandardBody(cursor, action) : readExtendedBody(cursor, action);
}

/** `access-list N permit|deny|remark ...` and `no access-list N`. */
export function addAccessListCommands(g: Grammar): void {
  g.on('access-list', (cursor) => {
    const { n, kind } = readAclNumber(cursor);
    const name = String(n);
    if (cursor.optKeyword(['remark']) !== undefined) {
      const text = cursor.rest();
      if (!text) throw cursor.incomplete();
      const effect: Effect = (st) => {
        const acl = getOrCreate(st.config, name, kind, true);
        insertEntry(acl, { type: 'remark', seq: nextSeq(acl), text });
      };
      effect.variant = 'remark';
      return effect;
    }
    const body = readBody(cursor, kind);
    return (st) => addRule(getOrCreate(st.config, name, kind, true), body, undefined);
  });
  g.on('no access-list', (cursor) => {
    const { n } = readAclNumber(cursor);
    // `no access-list 101 permit ...` removes the whole list on IOS, like `no access-list 101`.
    cursor.rest();
    return (st) => {
      st.config.accessLists = st.config.accessLists.filter((a) => a.name !== String(n));
    };
  });
  for (const kind of ['standard', 'extended'] as const) {
    g.on(`ip access-list ${kind}`, (cursor) => {
      const name = readListName(cursor, kind);
      return (st) => {
        getOrCreate(st.config, name, kind, /^\d+$/.test(name));
        st.mode = { kind: 'access-list', name, aclKind: kind };
      };
    });
    g.on(`no ip access-list ${kind}`, (cursor) => {
      const name = readListName(cursor, kind);
      return (st) => {
        st.config.accessLists = st.config.accessLists.filter((a) => a.name !== name);
      };
    });
  }
}

function readListName(cursor: Cursor, kind: 'standard' | 'extended'): string {
  const token = cursor.peek();
  if (!token) throw cursor.incomplete();
  if (/^\d+$/.test(token.text)) {
    const { n, kind: numberedKind } = readAclNumber(cursor);
    if (numberedKind !== kind) throw new ParseFail('invalid', token.start, '', `${n} is not a ${kind} access-list number`);
    return String(n);
  }
  if (!/^[A-Za-z]/.test(token.text)) throw cursor.invalidAt(token);
  return cursor.word();
}

function currentAcl(st: EngineState): AccessList {
  const mode = st.mode;
  if (mode.kind !== 'access-list') throw new Error('not in access-list mode');
  return getOrCreate(st.config, mode.name, mode.aclKind, /^\d+$/.test(mode.name));
}

/** The `(config-std-nacl)` / `(config-ext-nacl)` sub-mode. */
export function accessListModeGrammar(kind: 'standard' | 'extended'): Grammar {
  const g = new Grammar('access-list');
  const entry = (cursor: Cursor): Effect => {
    const seq = cursor.optInteger(1, MAX_SEQ);
    if (seq !== undefined && cursor.optKeyword(['remark']) !== undefined) {
      const text = cursor.rest();
      return (st) => insertEntry(currentAcl(st), { type: 'remark', seq, text });
    }
    const body = readBody(cursor, kind);
    return (st) => addRule(currentAcl(st), body, seq);
  };
  g.fallback(entry);
  g.on('permit', (cursor) => {
    cursor.reset(cursor.position - 1);
    return entry(cursor);
  });
  g.on('deny', (cursor) => {
    cursor.reset(cursor.position - 1);
    return entry(cursor);
  });
  g.on('remark', (cursor) => {
    const text = cursor.rest();
    if (!text) throw cursor.incomplete();
    return (st) => {
      const acl = currentAcl(st);
      insertEntry(acl, { type: 'remark', seq: nextSeq(acl), text });
    };
  });
  g.on('no', (cursor) => {
    const seq = cursor.optInteger(1, MAX_SEQ);
    if (seq !== undefined) {
      return (st) => {
        const acl = currentAcl(st);
        acl.entries = acl.entries.filter((e) => e.seq !== seq);
      };
    }
    if (cursor.optKeyword(['remark']) !== undefined) {
      const text = cursor.rest();
      return (st) => {
        const acl = currentAcl(st);
        acl.entries = acl.entries.filter((e) => !(e.type === 'remark' && e.text === text));
      };
    }
    const body = readBody(cursor, kind);
    return (st) => {
      const acl = currentAcl(st);
      const key = JSON.stringify(body);
      acl.entries = acl.entries.filter((e) => !sameRule(e, body, key));
    };
  });
  g.on('exit', () => (st) => {
    st.mode = { kind: 'global' };
  });
  return g.finish();
}
