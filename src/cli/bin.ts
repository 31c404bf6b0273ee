#!/usr/bin/env node
import module from 'node:module';

// The AWS SDK warns on every run under Node 20 about its future Node support;
// that notice is for the SDK's integrators, not for people running stowage.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Node 22.1+ keeps the compiled code of the modules on disk (in the OS temp
// folder), so every start after the first skips most of the parsing that
// dominates a short command's time. Node 20 has no such cache.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { main } = await import('./main.js');
process.exitCode = await main(process.argv.slice(2));
