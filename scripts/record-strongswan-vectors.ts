/**
 * Records IKEv1 known answers from strongSwan 5.9.8 in the lab, for
 * tests/unit/agent/crypto/strongswan-vectors.test.ts: for each suite (3DES and AES-256 with
 * SHA-1, where RFC 2409 appendix B expands SKEYID_e), a router and strongSwan negotiate
 * Main Mode and Quick Mode twice (the router initiates, then strongSwan; the router deletes
 * the SAs after each, in Informational exchanges), with charon
 * logging its key derivation (ike 4, enc 3, chd 4, raised on the running node through
 * /etc/strongswan.d and `swanctl --reload-settings`). Writes, per suite,
 * tests/fixtures/vectors/ikev1-strongswan-<suite>.json (inputs and strongSwan's results,
 * see scripts/lib/strongswan-exchange.ts) and .log (the charon lines they come from).
 *
 *   npm run build && flock /tmp/testbed-docker.lock node --openssl-legacy-provider dist/scripts/record-strongswan-vectors.js
 *
 * Uses Docker (run it under the lock); the labs are torn down. With VECTORS_FULL_LOG=PREFIX
 * it also writes moon's whole console to PREFIX-<suite>.log, to look at.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/orchestrator/index.js';
import { parseCharonLog } from './lib/charon-log.js';
import { exchangeRecord } from './lib/strongswan-exchange.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const SUITES = [
  { id: '3des-sha1', groupSize: 128, ike: '3des-sha1-modp1024 (3DES, SHA-1, group 2)', esp: '3des-sha1 (esp-3des esp-sha-hmac)' },
  {
    id: 'aes256-sha1',
    groupSize: 192,
    ike: 'aes256-sha1-modp1536 (AES-256, SHA-1, group 5)',
    esp: 'aes256-sha1-modp1536 (esp-aes 256 esp-sha-hmac, PFS group 5)',
  },
] as const;

const LEVELS = 'charon {\\n  filelog {\\n    console {\\n      ike = 4\\n      enc = 3\\n      chd = 4\\n    }\\n  }\\n}\\n';

/** The chunk dumps the fixture takes its values from. */
const USED_DUMPS =
  /^(shared Diffie Hellman secret|SKEYID(_[dae])?|encryption key Ka|initial IV|next IV for MID \d+|HASH_[IR]( data)?|Hash(\([123]\))?|natd_chunk|natd_hash|plain|padding|encrypted|(initiator|responder) SA seed|DH secret|(encryption|integrity) (initiator|responder) key)$/;

async function poll(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const installed = (lab: Lab) => poll('an installed CHILD_SA on moon', async () => /INSTALLED/.test(await lab.sh('moon', 'swanctl --list-sas')));

async function record(suite: (typeof SUITES)[number]): Promise<void> {
  const lab = await Lab.up(`${root}tests/fixtures/topologies/interop/${suite.id}.yaml`, { name: `vectors-${process.pid.toString(36)}`, capture: true });
  try {
    const version = (await lab.sh('moon', 'swanctl --version')).trim();
    await lab.sh('moon', `printf '${LEVELS}' > /etc/strongswan.d/zz-testbed-vectors.conf && swanctl --reload-settings`);
    // 1. the router initiates: d1's first packet
    await lab.exec('d1', 'ping -c 1 -W 3 12.12.12.13');
    await installed(lab);
    // 2. both forget, strongSwan initiates
    await lab.ios('daphne', 'clear crypto sa', 'clear crypto isakmp');
    await poll('moon to drop its SAs', async () => !/ESTABLISHED/.test(await lab.sh('moon', 'swanctl --list-sas')));
    await lab.sh('moon', 'swanctl --initiate --child lan --timeout 30');
    await installed(lab);
    // 3. the router deletes both SAs again: its Informational exchanges (Delete) are vectors too
    await lab.ios('daphne', 'clear crypto sa', 'clear crypto isakmp');
    await poll('moon to drop its SAs', async () => !/ESTABLISHED/.test(await lab.sh('moon', 'swanctl --list-sas')));

    const log = await lab.console('moon');
    if (process.env.VECTORS_FULL_LOG) writeFileSync(`${process.env.VECTORS_FULL_LOG}-${suite.id}.log`, log);
    const entries = parseCharonLog(log);
    const wan = await lab.packets('wan');
    const ikeSas = [...new Set(entries.filter((e) => e.text === 'SKEYID').map((e) => e.ikeSa!))];
    if (ikeSas.length !== 2) throw new Error(`expected two IKE_SAs with keys in moon's log, found ${ikeSas.length}`);
    const exchanges = ikeSas.map((sa) =>
      exchangeRecord({ entries: entries.filter((e) => e.ikeSa === sa), wan, groupSize: suite.groupSize, routerAddress: '11.11.11.1' }),
    );
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const doc = {
      source: `${version} (Debian 12 package, charon with kernel-libipsec) in the testbed lab tests/fixtures/topologies/interop/${suite.id}.yaml, against the testbed router at commit ${commit}, recorded ${new Date().toISOString().slice(0, 10)} by scripts/record-strongswan-vectors.ts`,
      method:
        "Values under 'strongswan' are strongSwan's own results from charon's log (keymat_v1.c and iv_manager.c at level ike 4: SKEYID*, 'encryption key Ka', 'initial IV', 'next IV for MID', HASH_I/HASH_R and their data, Hash(1..3) and the Informational 'Hash', NAT-D chunks and hashes; enc 3: every encrypted message's ciphertext and plaintext; chd 4: SA seeds, 'DH secret' and the KEYMAT keys). Inputs: cookies, public values, SAi_b and the ID bodies split from strongSwan's 'HASH_I data' (checked against HASH_R data and the clear Main Mode messages 1-4 on the WAN capture); phase-1 nonces from messages 3 and 4 on the WAN; Quick Mode nonces, KE values and the payloads after HASH from strongSwan's plaintext of messages 1 and 2 (checked against its SA seeds); the Informational payloads after HASH from strongSwan's plaintext of the router's Deletes. The corresponding log lines are in the .log file next to this one.",
      suite: { ike: suite.ike, esp: suite.esp, psk: 'abc123' },
      exchanges,
    };
    const base = `${root}tests/fixtures/vectors/ikev1-strongswan-${suite.id}`;
    writeFileSync(`${base}.json`, JSON.stringify(doc, null, 2) + '\n');
    const used = entries.filter(
      (e) =>
        ikeSas.includes(e.ikeSa!) &&
        (e.bytes ? USED_DUMPS.test(e.text) : /^(parsed|generating) \w+ (request|response)|ing payloads:$|^initiating|is initiating/.test(e.text)),
    );
    writeFileSync(
      `${base}.log`,
      [
        `# charon log lines (${version}) behind ikev1-strongswan-${suite.id}.json, recorded by scripts/record-strongswan-vectors.ts`,
        ...used.flatMap((e) => e.raw),
      ].join('\n') + '\n',
    );
    process.stdout.write(`${suite.id}: ${exchanges.length} exchanges written to ${base}.json\n`);
  } finally {
    await lab.down();
  }
}

for (const suite of SUITES) await record(suite);
