/** Datagrams that make well-known UDP services answer, so "open" can be told from "open|filtered". */

/** DNS: a standard query for the root NS records (id 0x5043, recursion desired). */
const DNS = Buffer.from([0x50, 0x43, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);

/** NTP: a version 4 client request (LI 0, VN 4, mode 3), 48 bytes. */
const NTP = Buffer.concat([Buffer.from([0x23]), Buffer.alloc(47)]);

/** SNMP v2c get-request for sysDescr.0 with community "public". */
const SNMP = Buffer.from('302902010104067075626c6963a01c020450430000020100020100300e300c06082b060102010101000500', 'hex');

export function payloadFor(port: number): Buffer {
  if (port === 53) return DNS;
  if (port === 123) return NTP;
  if (port === 161) return SNMP;
  return Buffer.alloc(0);
}
