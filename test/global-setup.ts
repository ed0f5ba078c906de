// Runs once before the suite. Later: starts the tenant simulator's CA so NODE_EXTRA_CA_CERTS reaches
// the forked workers.
export default function setup(): void {}
