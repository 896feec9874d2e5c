/** The tests start Keystone as the benchmarks do (bench/lib/keystone.ts: scripts/keystone/start.sh and a v3 client). */
export { startKeystone, type Keystone } from '../../bench/lib/keystone';
