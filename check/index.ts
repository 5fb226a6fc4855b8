export { type Finding, type Severity } from './finding';
export { RULES, type RuleId } from './rules';
export { checkTrustChain, type SynthesizedInput } from './trust-chain';
export { loadSynthesized, unwrapContract, type LoadSynthesizedOptions } from './load';
