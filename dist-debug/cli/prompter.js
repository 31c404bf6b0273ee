/**
 * Prompts on the terminal through @inquirer/prompts, drawn on stderr so that
 * stdout stays clean for --json output. The library loads on the first prompt:
 * most runs never ask anything, and it is some 120 ms of start-up.
 */
export function terminalPrompter(signal) {
    const context = { output: process.stderr, signal };
    const prompts = () => import('@inquirer/prompts');
    return {
        confirm: async (message, defaultAnswer) => (await prompts()).confirm({ message, default: defaultAnswer }, context),
        select: async (message, choices) => (await prompts()).select({ message, choices, pageSize: 15 }, context),
    };
}
//# sourceMappingURL=prompter.js.map