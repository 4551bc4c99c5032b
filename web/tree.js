// Orders teams as a tree by parent_id. Teams whose parent the user cannot
// see (or that sit in a cycle) are shown as roots, so nothing is lost.

/**
 * Returns [{team, depth, children}] roots, each child list sorted by name
 * (Vietnamese collation). Never loops, whatever parent_id holds.
 */
export function buildTree(teams) {
  const byId = new Map(teams.map((tm) => [tm.id, { team: tm, depth: 0, children: [] }]));
  const roots = [];
  for (const node of byId.values()) {
    const parent = node.team.parent_id != null ? byId.get(node.team.parent_id) : null;
    if (parent && parent !== node && !isAncestor(node, parent, byId)) parent.children.push(node);
    else roots.push(node);
  }
  const cmp = (a, b) => String(a.team.name).localeCompare(String(b.team.name), 'vi');
  const fix = (nodes, depth) => {
    nodes.sort(cmp);
    for (const n of nodes) {
      n.depth = depth;
      fix(n.children, depth + 1);
    }
  };
  fix(roots, 0);
  return roots;
}

// True when `node` is an ancestor of `candidate` via parent_id (a cycle).
function isAncestor(node, candidate, byId) {
  const seen = new Set();
  let cur = candidate;
  while (cur && !seen.has(cur)) {
    if (cur === node) return true;
    seen.add(cur);
    cur = cur.team.parent_id != null ? byId.get(cur.team.parent_id) : null;
  }
  return false;
}

/** The tree flattened depth-first: [{team, depth}]. */
export function flatTree(teams) {
  const out = [];
  const walk = (nodes) => {
    for (const n of nodes) {
      out.push({ team: n.team, depth: n.depth });
      walk(n.children);
    }
  };
  walk(buildTree(teams));
  return out;
}

/** Option label for a team at `depth`: indented with em dashes. */
export function indentName(name, depth) {
  return depth ? `${'— '.repeat(depth)}${name}` : name;
}
