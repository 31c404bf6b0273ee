#!/usr/bin/env node
// The AWS SDK warns on every run under Node 20 about its future Node support;
// that notice is for the SDK's integrators, not for people running stowage.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { exitQuietlyOnClosedOutput } = await import('./closed-output.js');
exitQuietlyOnClosedOutput(process.stdout);
exitQuietlyOnClosedOutput(process.stderr);
const { main } = await import('./main.js');
process.exitCode = await main(process.argv.slice(2));
