/**
 * Placeholder for `npm run bench`. The benchmark suite (bundle size, start-up time, events per second
 * against the mock vendor servers) lands with the performance issue; until then this prints no numbers.
 */
console.log("helr bench: no benchmarks yet. They land with the performance issue; nothing was measured.");
