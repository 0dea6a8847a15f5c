// Which IP addresses a media download may connect to: public unicast only. Loopback, private,
// link-local, shared (CGNAT), documentation, multicast and reserved ranges are refused, in IPv4
// and IPv6, including IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4).
import { isIPv4, isIPv6 } from "node:net";

type Range = readonly [network: bigint, prefix: number];

function v4(text: string): bigint {
  return text.split(".").reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

const V4_FORBIDDEN: readonly Range[] = (
  [
    ["0.0.0.0", 8], // "this network"
    ["10.0.0.0", 8], // private
    ["100.64.0.0", 10], // shared address space (carrier-grade NAT)
    ["127.0.0.0", 8], // loopback
    ["169.254.0.0", 16], // link-local (cloud metadata services live here)
    ["172.16.0.0", 12], // private
    ["192.0.0.0", 24], // IETF protocol assignments
    ["192.0.2.0", 24], // documentation
    ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
    ["192.168.0.0", 16], // private
    ["198.18.0.0", 15], // benchmarking
    ["198.51.100.0", 24], // documentation
    ["203.0.113.0", 24], // documentation
    ["224.0.0.0", 4], // multicast
    ["240.0.0.0", 4], // reserved, and the broadcast address
  ] as const
).map(([network, prefix]) => [v4(network), prefix] as const);

/** The 128-bit value of an IPv6 address (with or without an embedded dotted quad); null if malformed. */
function v6(text: string): bigint | null {
  let address = text.toLowerCase();
  const zone = address.indexOf("%");
  if (zone !== -1) address = address.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted?.[1]) {
    if (!isIPv4(dotted[1])) return null;
    const value = v4(dotted[1]);
    address = `${address.slice(0, -dotted[1].length)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}

function v6Range(network: string, prefix: number): Range {
  return [v6(network) ?? 0n, prefix];
}

const V6_FORBIDDEN: readonly Range[] = [
  v6Range("::", 128), // unspecified
  v6Range("::1", 128), // loopback
  v6Range("100::", 64), // discard
  v6Range("2001::", 32), // Teredo tunnels
  v6Range("2001:10::", 28), // ORCHID
  v6Range("2001:db8::", 32), // documentation
  v6Range("3fff::", 20), // documentation
  v6Range("64:ff9b:1::", 48), // local-use NAT64
  v6Range("fc00::", 7), // unique local (private)
  v6Range("fe80::", 10), // link-local
  v6Range("fec0::", 10), // site-local (deprecated)
  v6Range("ff00::", 8), // multicast
];

function inRange(value: bigint, bits: number, [network, prefix]: Range): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === network >> shift;
}

function forbiddenV4(value: bigint): boolean {
  return V4_FORBIDDEN.some((range) => inRange(value, 32, range));
}

/** The IPv4 address an IPv6 one stands for (mapped, compatible, NAT64 well-known prefix, 6to4). */
function embeddedV4(value: bigint): bigint | null {
  const low32 = value & 0xffffffffn;
  if (value >> 32n === 0xffffn) return low32; // ::ffff:a.b.c.d
  if (value >> 32n === 0n) return low32; // ::a.b.c.d (deprecated "compatible" form)
  if (value >> 32n === (v6("64:ff9b::") ?? 0n) >> 32n) return low32; // NAT64
  if (value >> 112n === 0x2002n) return (value >> 80n) & 0xffffffffn; // 6to4
  return null;
}

/** True when a download must not connect to `address` (also for anything that is not an IP address). */
export function isForbiddenAddress(address: string): boolean {
  const text = address.trim().replace(/^\[(.*)\]$/, "$1");
  if (isIPv4(text)) return forbiddenV4(v4(text));
  if (!isIPv6(text)) return true;
  const value = v6(text);
  if (value === null) return true;
  if (V6_FORBIDDEN.some((range) => inRange(value, 128, range))) return true;
  const inner = embeddedV4(value);
  return inner !== null && forbiddenV4(inner);
}
