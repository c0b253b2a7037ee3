/** Shared helpers for the nftables, pf and firewalld tests. */
import * as path from 'node:path';
import { portOfService, type Transport } from '../../../server/src/knowledge/registry';

export const ctx = { resolveService: (n: string, p?: string) => portOfService(n, p as Transport | undefined) };
/** From the compiled file out/test/unit/formats/x.js: five levels up is the repository's parent. */
export const CORPUS = path.resolve(__dirname, '../../../../../shared/corpus');
export const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');

/** Files nft 1.0.6 rejects in nftables-translated/, with the lines it reports (MANIFEST.md; first 10 only). */
export const NFT_REJECTS: Record<string, number[]> = {
  'contrived.nft': [7, 9, 16, 17, 18],
  'home-user.nft': [94, 95],
  'openwrt.nft': [16, 40, 49, 50, 59, 60],
  'sqrl-shorewall-2014.nft': [61, 102, 132, 145, 159, 183, 184, 185, 186, 195],
  'tum-net-2014-07-25.nft': [1360],
  'tum-net-2015-05-13-cheating.nft': [1542],
};
