#!/usr/bin/env node
// Runs the TypeScript sources directly (for development: no build step; slower to start).
import { register } from 'tsx/esm/api';

register();
await import('../src/bin.ts');
