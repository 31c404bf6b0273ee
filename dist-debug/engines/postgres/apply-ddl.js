const BATCH_OBJECTS = 200;
const BATCH_CHARS = 512 * 1024;
export async function applyObjects(session, objects, options) {
    const work = objects.filter((o) => options.statements(o).length);
    if (!options.batch) {
        for (const o of work)
            await applyOne(session, o, options);
        return;
    }
    let i = 0;
    while (i < work.length) {
        let chars = 0;
        let j = i;
        while (j < work.length && j - i < BATCH_OBJECTS && chars < BATCH_CHARS) {
            chars += options.statements(work[j]).reduce((n, s) => n + s.length, 0);
            j++;
        }
        const group = work.slice(i, j);
        try {
            await session.client.query(group
                .flatMap((o) => options.statements(o))
                .map(terminate)
                .join('\n'));
            for (const o of group)
                options.onApplied(o);
        }
        catch (err) {
            if (session.lost !== undefined || group.length === 1)
                throw session.translate(err, options.describe(group[0]));
            // The batch rolled back as a whole: replay it object by object to apply what can be and name the culprit.
            for (const o of group)
                await applyOne(session, o, options);
            throw session.translate(err, `applying ${group.length} objects`);
        }
        i = j;
    }
}
async function applyOne(session, object, options) {
    const sql = options.statements(object).map(terminate).join('\n');
    try {
        await session.client.query(sql);
    }
    catch (err) {
        throw session.translate(err, options.describe(object));
    }
    options.onApplied(object);
}
function terminate(statement) {
    return /;\s*$/.test(statement) ? statement : `${statement};`;
}
//# sourceMappingURL=apply-ddl.js.map