export { dependencyGraph, recalculate, setInputs, cellKey, type DependencyGraph } from './graph.ts';
