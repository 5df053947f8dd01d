// Package catalog is armorlake's shared metadata: which nodes are alive,
// which tables exist and what their columns are, and which operator holds
// data of which table over which time range. It lives in etcd (design §1,
// §6, §8): the master role runs etcd embedded (StartEmbedded) for a single
// machine, and an external etcd cluster replaces it at scale with no change
// to anything else. Every node talks to etcd only through this package.
//
// # Shape
//
//   - Catalog (Open) is a thin, stateless client: reads go to etcd every
//     time and writes are single puts or transactions.
//   - Registration (Catalog.Register) keeps one node's key alive under an
//     etcd lease. A node that dies disappears within the lease TTL; a node
//     that closes its registration disappears at once.
//   - Cache (NewCache) is what query nodes plan against: a full copy of the
//     catalog in memory, kept current by an etcd watch. It serves its last
//     view while etcd is unreachable and rebuilds itself (list, then watch
//     from the listed revision) whenever the watch breaks or falls behind a
//     compaction.
//   - Embedded (StartEmbedded) is the master role's in-process etcd.
//
// # Key layout
//
// Every key starts with Config.Prefix ("/armorlake/" by default). Values
// are JSON so that `etcdctl get --prefix /armorlake/` is readable.
//
//	<prefix>version                       layout version, JSON number; this package writes and accepts 1
//	<prefix>nodes/<node-id>               Node, attached to the node's lease
//	<prefix>tables/<table>                schema.Table
//	<prefix>placement/<table>/<node-id>   Placement, durable (no lease)
//
// Table names and node IDs are key segments: non-empty, at most 255 bytes,
// with no '/' and no control characters. Open writes the version key when
// the prefix is empty and refuses to work on a prefix whose version it does
// not know, so a future layout change is a new version number and a
// migration, never a silent misreading.
//
// Placements are deliberately not leased. A placement says "operator X
// holds rows of table T between MinTs and MaxTs" and stays true while X is
// down, so that a query whose time range needs X can fail naming X instead
// of silently returning fewer rows. Nodes (leased) answer "who is up";
// placements (durable) answer "who should be asked".
//
// # Concurrency and lifetime
//
// Catalog, Registration and Cache are safe for concurrent use. Closing a
// Catalog closes its registrations (revoking their leases) and caches.
// Tables returned by Catalog.Tables are fresh; tables returned by a Cache
// are shared with every other caller and must not be modified.
package catalog
