/**
 * How the project's zod schemas order their checks: a refinement that reads the structure
 * (indexes arrays, compares lengths) runs only while that structure is intact. zod v4 runs
 * refinements after non-aborting issues too (a `min(1)` array that came empty), where such a
 * refinement would read what is not there and throw instead of reporting. Issues that leave
 * the structure as declared (a string's format, a number's range) do not stop it, so a document
 * gets every problem reported at once where that is safe.
 */
type Issue = { readonly code?: string; readonly origin?: string };

function breaksStructure(issue: Issue): boolean {
  if (issue.code === 'too_small' || issue.code === 'too_big') return issue.origin === 'array' || issue.origin === 'set';
  return issue.code === 'invalid_type' || issue.code === 'invalid_union' || issue.code === 'invalid_key' || issue.code === 'invalid_element' || issue.code === 'invalid_value';
}

export const afterStructure = { when: (payload: { issues: readonly Issue[] }) => !payload.issues.some(breaksStructure) };
