package pgcatalog

import (
	"slices"
	"strconv"
	"time"

	"github.com/armorlake/armorlake/schema"
)

// pgTypeOIDs maps the PostgreSQL column types of the system relations to
// their pg_type OIDs, for pg_attribute and information_schema.columns.
// information_schema's domains are given their base types.
var pgTypeOIDs = map[string]int64{
	"oid": 26, "regproc": 24, "xid": 28, "regtype": 2206, "name": 19, `"char"`: 18, "text": 25,
	"pg_node_tree": 194, "inet": 869, "bytea": 17, "smallint": 21, "integer": 23, "bigint": 20, "real": 700,
	"boolean": 16, "timestamp with time zone": 1184, "aclitem[]": 1034, "text[]": 1009, "oid[]": 1028,
	"smallint[]": 1005, `"char"[]`: 1002, "int2vector": 22, "oidvector": 30, "anyarray": 2277,
	"sql_identifier": 19, "character_data": 1043, "yes_or_no": 1043, "cardinal_number": 23, "time_stamp": 1184,
}

func init() {
	const cat, info = "pg_catalog", "information_schema"

	define(cat, "pg_namespace", 2615, 'r', "oid oid, nspname name, nspowner oid, nspacl aclitem[]",
		func(in *Info, b *rowsBuilder) {
			for _, n := range []struct {
				oid  int64
				name string
			}{{CatalogNamespace, "pg_catalog"}, {PublicNamespace, "public"}, {InfoNamespace, "information_schema"}} {
				b.add(n.oid, n.name, int64(SuperuserOID), nil)
			}
		})

	define(cat, "pg_class", 1259, 'r', "oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, "+
		"relowner oid, relam oid, relfilenode oid, reltablespace oid, relpages integer, reltuples real, "+
		"relallvisible integer, reltoastrelid oid, relhasindex boolean, relisshared boolean, relpersistence \"char\", "+
		"relkind \"char\", relnatts smallint, relchecks smallint, relhasrules boolean, relhastriggers boolean, "+
		"relhassubclass boolean, relrowsecurity boolean, relforcerowsecurity boolean, relispopulated boolean, "+
		"relreplident \"char\", relispartition boolean, relrewrite oid, relfrozenxid xid, relminmxid xid, "+
		"relacl aclitem[], reloptions text[], relpartbound pg_node_tree",
		func(in *Info, b *rowsBuilder) {
			add := func(oid int64, name string, ns int64, kind byte, natts int, tuples float32) {
				am, ident := int64(2), byte('d') // heap
				if kind == 'v' {
					am, ident = 0, 'n'
				}
				b.add(oid, name, ns, 0, 0, int64(SuperuserOID), am, 0, 0, 0, tuples, 0, 0, false, false, byte('p'),
					kind, int16(natts), int16(0), false, false, false, false, false, true, ident, false, 0, 0, 0,
					nil, nil, nil)
			}
			for _, t := range sortedTables(in) {
				add(TableOID(t.Name), t.Name, PublicNamespace, 'r', len(t.Columns), float32(rowCount(in, t.Name)))
			}
			for _, r := range relations {
				ns, _ := NamespaceOID(r.Schema)
				add(r.OID, r.Table.Name, ns, r.Kind, len(r.Table.Columns), -1)
			}
		})

	define(cat, "pg_attribute", 1249, 'r', "attrelid oid, attname name, atttypid oid, attlen smallint, "+
		"attnum smallint, attcacheoff integer, atttypmod integer, attndims smallint, attbyval boolean, "+
		"attalign \"char\", attstorage \"char\", attcompression \"char\", attnotnull boolean, atthasdef boolean, "+
		"atthasmissing boolean, attidentity \"char\", attgenerated \"char\", attisdropped boolean, "+
		"attislocal boolean, attinhcount smallint, attstattarget smallint, attcollation oid, attacl aclitem[], "+
		"attoptions text[], attfdwoptions text[], attmissingval anyarray",
		func(in *Info, b *rowsBuilder) {
			add := func(rel int64, num int, name string, typ int64, notNull bool) {
				t, _ := TypeByOID(typ)
				ndims := int16(0)
				if t.Category == 'A' {
					ndims = 1
				}
				b.add(rel, name, typ, t.Len, int16(num), int32(-1), int32(-1), ndims, t.ByVal, t.Align, t.Storage,
					"", notNull, false, false, "", "", false, true, int16(0), int16(-1), t.Coll, nil, nil, nil, nil)
			}
			for _, t := range sortedTables(in) {
				for i, c := range t.Columns {
					add(TableOID(t.Name), i+1, c.Name, ColumnType(c.Type), i == t.TimeColumn)
				}
			}
			for _, r := range relations {
				for i, c := range r.Table.Columns {
					add(r.OID, i+1, c.Name, pgTypeOIDs[c.From], false)
				}
			}
		})

	define(cat, "pg_type", 1247, 'r', "oid oid, typname name, typnamespace oid, typowner oid, typlen smallint, "+
		"typbyval boolean, typtype \"char\", typcategory \"char\", typispreferred boolean, typisdefined boolean, "+
		"typdelim \"char\", typrelid oid, typsubscript regproc, typelem oid, typarray oid, typinput regproc, "+
		"typoutput regproc, typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, "+
		"typanalyze regproc, typalign \"char\", typstorage \"char\", typnotnull boolean, typbasetype oid, "+
		"typtypmod integer, typndims integer, typcollation oid, typdefaultbin pg_node_tree, typdefault text, "+
		"typacl aclitem[]",
		func(in *Info, b *rowsBuilder) {
			for i := range types {
				t := &types[i]
				in, out, recv, send := t.IOProcs()
				b.add(t.OID, t.Name, int64(CatalogNamespace), int64(SuperuserOID), t.Len, t.ByVal, t.Kind, t.Category,
					t.Prefer, true, byte(','), 0, 0, t.Elem, t.Array, ProcOID(in), ProcOID(out), ProcOID(recv),
					ProcOID(send), 0, 0, 0, t.Align, t.Storage, false, 0, int32(-1), int32(0), t.Coll, nil, nil, nil)
			}
		})

	define(cat, "pg_database", 1262, 'r', "oid oid, datname name, datdba oid, encoding integer, "+
		"datlocprovider \"char\", datistemplate boolean, datallowconn boolean, datconnlimit integer, "+
		"datfrozenxid xid, datminmxid xid, dattablespace oid, datcollate text, datctype text, daticulocale text, "+
		"daticurules text, datcollversion text, datacl aclitem[]",
		func(in *Info, b *rowsBuilder) {
			for _, name := range databases(in) {
				b.add(DatabaseOID(name), name, int64(SuperuserOID), int32(6), byte('c'), false, true, int32(-1), 0, 0,
					1663, "C.UTF-8", "C.UTF-8", nil, nil, nil, nil)
			}
		})

	roleCols := "rolname name, rolsuper boolean, rolinherit boolean, rolcreaterole boolean, rolcreatedb boolean, " +
		"rolcanlogin boolean, rolreplication boolean, rolconnlimit integer, rolpassword text, " +
		"rolvaliduntil timestamp with time zone, rolbypassrls boolean, rolconfig text[], oid oid"
	define(cat, "pg_roles", 12001, 'v', roleCols, func(in *Info, b *rowsBuilder) {
		for _, r := range roles(in) {
			b.add(r.name, r.super, true, r.super, r.super, true, false, int32(-1), "********", nil, r.super, nil, r.oid)
		}
	})
	define(cat, "pg_user", 12005, 'v', "usename name, usesysid oid, usecreatedb boolean, usesuper boolean, "+
		"userepl boolean, usebypassrls boolean, passwd text, valuntil timestamp with time zone, useconfig text[]",
		func(in *Info, b *rowsBuilder) {
			for _, r := range roles(in) {
				b.add(r.name, r.oid, r.super, r.super, false, r.super, "********", nil, nil)
			}
		})
	define(cat, "pg_auth_members", 1261, 'r', "roleid oid, member oid, grantor oid, admin_option boolean", nil)

	define(cat, "pg_am", 2601, 'r', "oid oid, amname name, amhandler regproc, amtype \"char\"",
		func(in *Info, b *rowsBuilder) {
			b.add(2, "heap", 0, byte('t'))
			b.add(403, "btree", 0, byte('i'))
		})
	define(cat, "pg_tablespace", 1213, 'r', "oid oid, spcname name, spcowner oid, spcacl aclitem[], spcoptions text[]",
		func(in *Info, b *rowsBuilder) {
			b.add(1663, "pg_default", int64(SuperuserOID), nil, nil)
			b.add(1664, "pg_global", int64(SuperuserOID), nil, nil)
		})
	define(cat, "pg_collation", 3456, 'r', "oid oid, collname name, collnamespace oid, collowner oid, "+
		"collprovider \"char\", collisdeterministic boolean, collencoding integer, collcollate text, "+
		"collctype text, colliculocale text, collicurules text, collversion text",
		func(in *Info, b *rowsBuilder) {
			b.add(100, "default", int64(CatalogNamespace), int64(SuperuserOID), byte('d'), true, int32(-1), nil, nil, nil, nil, nil)
			b.add(950, "C", int64(CatalogNamespace), int64(SuperuserOID), byte('c'), true, int32(-1), "C", "C", nil, nil, nil)
			b.add(951, "POSIX", int64(CatalogNamespace), int64(SuperuserOID), byte('c'), true, int32(-1), "POSIX", "POSIX", nil, nil, nil)
		})
	define(cat, "pg_description", 2609, 'r', "objoid oid, classoid oid, objsubid integer, description text",
		func(in *Info, b *rowsBuilder) {
			for _, t := range sortedTables(in) {
				if d := TableDescription(t); d != "" {
					b.add(TableOID(t.Name), 1259, int32(0), d)
				}
			}
		})
	define(cat, "pg_shdescription", 2396, 'r', "objoid oid, classoid oid, description text", nil)
	define(cat, "pg_settings", 12010, 'v', "name text, setting text, unit text, category text, short_desc text, "+
		"extra_desc text, context text, vartype text, source text, min_val text, max_val text, enumvals text[], "+
		"boot_val text, reset_val text, sourcefile text, sourceline integer, pending_restart boolean",
		func(in *Info, b *rowsBuilder) {
			for _, s := range in.Settings {
				b.add(s.Name, s.Value, nil, s.Category, s.Description, nil, "user", "string", "session", nil, nil,
					nil, nil, nil, nil, nil, false)
			}
		})
	define(cat, "pg_tables", 12020, 'v', "schemaname name, tablename name, tableowner name, tablespace name, "+
		"hasindexes boolean, hasrules boolean, hastriggers boolean, rowsecurity boolean",
		func(in *Info, b *rowsBuilder) {
			for _, t := range sortedTables(in) {
				b.add("public", t.Name, SuperuserName, nil, false, false, false, false)
			}
			for _, r := range relations {
				if r.Kind == 'r' {
					b.add(r.Schema, r.Table.Name, SuperuserName, nil, false, false, false, false)
				}
			}
		})
	define(cat, "pg_views", 12015, 'v', "schemaname name, viewname name, viewowner name, definition text",
		func(in *Info, b *rowsBuilder) {
			for _, r := range relations {
				if r.Kind == 'v' {
					b.add(r.Schema, r.Table.Name, SuperuserName, nil)
				}
			}
		})
	define(cat, "pg_matviews", 12025, 'v', "schemaname name, matviewname name, matviewowner name, tablespace name, "+
		"hasindexes boolean, ispopulated boolean, definition text", nil)
	define(cat, "pg_indexes", 12030, 'v', "schemaname name, tablename name, indexname name, tablespace name, indexdef text", nil)
	define(cat, "pg_sequences", 12035, 'v', "schemaname name, sequencename name, sequenceowner name, "+
		"data_type regtype, start_value bigint, min_value bigint, max_value bigint, increment_by bigint, "+
		"cycle boolean, cache_size bigint, last_value bigint", nil)
	define(cat, "pg_stat_user_tables", 12040, 'v', "relid oid, schemaname name, relname name, seq_scan bigint, "+
		"last_seq_scan timestamp with time zone, seq_tup_read bigint, idx_scan bigint, "+
		"last_idx_scan timestamp with time zone, idx_tup_fetch bigint, n_tup_ins bigint, n_tup_upd bigint, "+
		"n_tup_del bigint, n_tup_hot_upd bigint, n_tup_newpage_upd bigint, n_live_tup bigint, n_dead_tup bigint, "+
		"n_mod_since_analyze bigint, n_ins_since_vacuum bigint, last_vacuum timestamp with time zone, "+
		"last_autovacuum timestamp with time zone, last_analyze timestamp with time zone, "+
		"last_autoanalyze timestamp with time zone, vacuum_count bigint, autovacuum_count bigint, "+
		"analyze_count bigint, autoanalyze_count bigint",
		func(in *Info, b *rowsBuilder) {
			for _, t := range sortedTables(in) {
				n := rowCount(in, t.Name)
				if n < 0 {
					n = 0
				}
				b.add(TableOID(t.Name), "public", t.Name, 0, nil, 0, nil, nil, nil, n, 0, 0, 0, 0, n, 0, 0, 0,
					nil, nil, nil, nil, 0, 0, 0, 0)
			}
		})

	define(cat, "pg_stat_activity", 12045, 'v', "datid oid, datname name, pid integer, leader_pid integer, "+
		"usesysid oid, usename name, application_name text, client_addr inet, client_hostname text, "+
		"client_port integer, backend_start timestamp with time zone, xact_start timestamp with time zone, "+
		"query_start timestamp with time zone, state_change timestamp with time zone, wait_event_type text, "+
		"wait_event text, state text, backend_xid xid, backend_xmin xid, query_id bigint, query text, "+
		"backend_type text",
		func(in *Info, b *rowsBuilder) {
			ts := func(t time.Time) any {
				if t.IsZero() {
					return nil
				}
				return t.UnixMicro()
			}
			for _, a := range in.Activity {
				b.add(DatabaseOID(a.Database), a.Database, int32(a.PID), nil, RoleOID(a.User), a.User, a.Application,
					a.ClientAddr, nil, int32(a.ClientPort), ts(a.BackendStart), nil, ts(a.QueryStart), ts(a.QueryStart),
					nil, nil, a.State, nil, nil, nil, a.Query, "client backend")
			}
		})

	// Catalogs of objects armorlake has none of: empty, so that the
	// queries over them run and find nothing.
	for _, e := range []struct {
		name string
		oid  int64
		cols string
	}{
		{"pg_attrdef", 2604, "oid oid, adrelid oid, adnum smallint, adbin pg_node_tree"},
		{"pg_constraint", 2606, "oid oid, conname name, connamespace oid, contype \"char\", condeferrable boolean, " +
			"condeferred boolean, convalidated boolean, conrelid oid, contypid oid, conindid oid, conparentid oid, " +
			"confrelid oid, confupdtype \"char\", confdeltype \"char\", confmatchtype \"char\", conislocal boolean, " +
			"coninhcount smallint, connoinherit boolean, conkey smallint[], confkey smallint[], conpfeqop oid[], " +
			"conppeqop oid[], conffeqop oid[], confdelsetcols smallint[], conexclop oid[], conbin pg_node_tree"},
		{"pg_index", 2610, "indexrelid oid, indrelid oid, indnatts smallint, indnkeyatts smallint, " +
			"indisunique boolean, indnullsnotdistinct boolean, indisprimary boolean, indisexclusion boolean, " +
			"indimmediate boolean, indisclustered boolean, indisvalid boolean, indcheckxmin boolean, " +
			"indisready boolean, indislive boolean, indisreplident boolean, indkey int2vector, " +
			"indcollation oidvector, indclass oidvector, indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree"},
		{"pg_inherits", 2611, "inhrelid oid, inhparent oid, inhseqno integer, inhdetachpending boolean"},
		{"pg_proc", 1255, "oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost real, " +
			"prorows real, provariadic oid, prosupport regproc, prokind \"char\", prosecdef boolean, " +
			"proleakproof boolean, proisstrict boolean, proretset boolean, provolatile \"char\", " +
			"proparallel \"char\", pronargs smallint, pronargdefaults smallint, prorettype oid, " +
			"proargtypes oidvector, proallargtypes oid[], proargmodes \"char\"[], proargnames text[], " +
			"proargdefaults pg_node_tree, protrftypes oid[], prosrc text, probin text, prosqlbody pg_node_tree, " +
			"proconfig text[], proacl aclitem[]"},
		{"pg_policy", 3256, "oid oid, polname name, polrelid oid, polcmd \"char\", polpermissive boolean, " +
			"polroles oid[], polqual pg_node_tree, polwithcheck pg_node_tree"},
		{"pg_statistic_ext", 3381, "oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, " +
			"stxstattarget integer, stxkeys int2vector, stxkind \"char\"[], stxexprs pg_node_tree"},
		{"pg_publication", 6104, "oid oid, pubname name, pubowner oid, puballtables boolean, pubinsert boolean, " +
			"pubupdate boolean, pubdelete boolean, pubtruncate boolean, pubviaroot boolean"},
		{"pg_publication_namespace", 6237, "oid oid, pnpubid oid, pnnspid oid"},
		{"pg_publication_rel", 6106, "oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector"},
		{"pg_trigger", 2620, "oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype smallint, " +
			"tgenabled \"char\", tgisinternal boolean, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, " +
			"tgdeferrable boolean, tginitdeferred boolean, tgnargs smallint, tgattr int2vector, tgargs bytea, " +
			"tgqual pg_node_tree, tgoldtable name, tgnewtable name"},
		{"pg_rewrite", 2618, "oid oid, rulename name, ev_class oid, ev_type \"char\", ev_enabled \"char\", " +
			"is_instead boolean, ev_qual pg_node_tree, ev_action pg_node_tree"},
		{"pg_depend", 2608, "classid oid, objid oid, objsubid integer, refclassid oid, refobjid oid, " +
			"refobjsubid integer, deptype \"char\""},
		{"pg_extension", 3079, "oid oid, extname name, extowner oid, extnamespace oid, extrelocatable boolean, " +
			"extversion text, extconfig oid[], extcondition text[]"},
		{"pg_enum", 3501, "oid oid, enumtypid oid, enumsortorder real, enumlabel name"},
		{"pg_sequence", 2224, "seqrelid oid, seqtypid oid, seqstart bigint, seqincrement bigint, seqmax bigint, " +
			"seqmin bigint, seqcache bigint, seqcycle boolean"},
		{"pg_range", 3541, "rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid, " +
			"rngcanonical regproc, rngsubdiff regproc"},
		{"pg_foreign_table", 3118, "ftrelid oid, ftserver oid, ftoptions text[]"},
		{"pg_partitioned_table", 3350, "partrelid oid, partstrat \"char\", partnatts smallint, partdefid oid, " +
			"partattrs int2vector, partclass oidvector, partcollation oidvector, partexprs pg_node_tree"},
		{"pg_event_trigger", 3466, "oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, " +
			"evtenabled \"char\", evttags text[]"},
		{"pg_opclass", 2616, "oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, " +
			"opcfamily oid, opcintype oid, opcdefault boolean, opckeytype oid"},
		{"pg_cast", 2605, "oid oid, castsource oid, casttarget oid, castfunc oid, castcontext \"char\", castmethod \"char\""},
		{"pg_conversion", 2607, "oid oid, conname name, connamespace oid, conowner oid, conforencoding integer, " +
			"contoencoding integer, conproc regproc, condefault boolean"},
		{"pg_operator", 2617, "oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind \"char\", " +
			"oprcanmerge boolean, oprcanhash boolean, oprleft oid, oprright oid, oprresult oid, oprcom oid, " +
			"oprnegate oid, oprcode regproc, oprrest regproc, oprjoin regproc"},
		{"pg_language", 2612, "oid oid, lanname name, lanowner oid, lanispl boolean, lanpltrusted boolean, " +
			"lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl aclitem[]"},
		{"pg_foreign_server", 1417, "oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, " +
			"srvacl aclitem[], srvoptions text[]"},
		{"pg_foreign_data_wrapper", 2328, "oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, " +
			"fdwacl aclitem[], fdwoptions text[]"},
		{"pg_user_mapping", 1418, "oid oid, umuser oid, umserver oid, umoptions text[]"},
		{"pg_db_role_setting", 2964, "setdatabase oid, setrole oid, setconfig text[]"},
		{"pg_ts_config", 3602, "oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid"},
		{"pg_ts_dict", 3600, "oid oid, dictname name, dictnamespace oid, dictowner oid, dicttemplate oid, dictinitoption text"},
		{"pg_ts_parser", 3601, "oid oid, prsname name, prsnamespace oid, prsstart regproc, prstoken regproc, " +
			"prsend regproc, prsheadline regproc, prslextype regproc"},
		{"pg_ts_template", 3764, "oid oid, tmplname name, tmplnamespace oid, tmplinit regproc, tmpllexize regproc"},
		{"pg_opfamily", 2753, "oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid"},
		{"pg_aggregate", 2600, "aggfnoid regproc, aggkind \"char\", aggnumdirectargs smallint, aggtransfn regproc, " +
			"aggfinalfn regproc, aggcombinefn regproc, aggserialfn regproc, aggdeserialfn regproc, aggmtransfn regproc, " +
			"aggminvtransfn regproc, aggmfinalfn regproc, aggfinalextra boolean, aggmfinalextra boolean, " +
			"aggfinalmodify \"char\", aggmfinalmodify \"char\", aggsortop oid, aggtranstype oid, aggtransspace integer, " +
			"aggmtranstype oid, aggmtransspace integer, agginitval text, aggminitval text"},
		{"pg_seclabel", 3596, "objoid oid, classoid oid, objsubid integer, provider text, label text"},
		{"pg_init_privs", 3394, "objoid oid, classoid oid, objsubid integer, privtype \"char\", initprivs aclitem[]"},
		{"pg_default_acl", 826, "oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype \"char\", defaclacl aclitem[]"},
		{"pg_transform", 3576, "oid oid, trftype oid, trflang oid, trffromsql regproc, trftosql regproc"},
		{"pg_largeobject_metadata", 2995, "oid oid, lomowner oid, lomacl aclitem[]"},
	} {
		define(cat, e.name, e.oid, 'r', e.cols, nil)
	}

	// information_schema.
	define(info, "schemata", 13200, 'v', "catalog_name sql_identifier, schema_name sql_identifier, "+
		"schema_owner sql_identifier, default_character_set_catalog sql_identifier, "+
		"default_character_set_schema sql_identifier, default_character_set_name sql_identifier, "+
		"sql_path character_data",
		func(in *Info, b *rowsBuilder) {
			for _, s := range []string{"information_schema", "pg_catalog", "public"} {
				b.add(in.Database, s, SuperuserName, nil, nil, nil, nil)
			}
		})
	define(info, "tables", 13210, 'v', "table_catalog sql_identifier, table_schema sql_identifier, "+
		"table_name sql_identifier, table_type character_data, self_referencing_column_name sql_identifier, "+
		"reference_generation character_data, user_defined_type_catalog sql_identifier, "+
		"user_defined_type_schema sql_identifier, user_defined_type_name sql_identifier, "+
		"is_insertable_into yes_or_no, is_typed yes_or_no, commit_action character_data",
		func(in *Info, b *rowsBuilder) {
			for _, r := range allRelations(in) {
				typ := "BASE TABLE"
				if r.kind == 'v' {
					typ = "VIEW"
				}
				b.add(in.Database, r.schema, r.table.Name, typ, nil, nil, nil, nil, nil, "NO", "NO", nil)
			}
		})
	define(info, "columns", 13220, 'v', "table_catalog sql_identifier, table_schema sql_identifier, "+
		"table_name sql_identifier, column_name sql_identifier, ordinal_position cardinal_number, "+
		"column_default character_data, is_nullable yes_or_no, data_type character_data, "+
		"character_maximum_length cardinal_number, character_octet_length cardinal_number, "+
		"numeric_precision cardinal_number, numeric_precision_radix cardinal_number, "+
		"numeric_scale cardinal_number, datetime_precision cardinal_number, interval_type character_data, "+
		"interval_precision cardinal_number, character_set_catalog sql_identifier, "+
		"character_set_schema sql_identifier, character_set_name sql_identifier, "+
		"collation_catalog sql_identifier, collation_schema sql_identifier, collation_name sql_identifier, "+
		"domain_catalog sql_identifier, domain_schema sql_identifier, domain_name sql_identifier, "+
		"udt_catalog sql_identifier, udt_schema sql_identifier, udt_name sql_identifier, "+
		"scope_catalog sql_identifier, scope_schema sql_identifier, scope_name sql_identifier, "+
		"maximum_cardinality cardinal_number, dtd_identifier sql_identifier, is_self_referencing yes_or_no, "+
		"is_identity yes_or_no, identity_generation character_data, identity_start character_data, "+
		"identity_increment character_data, identity_maximum character_data, identity_minimum character_data, "+
		"identity_cycle yes_or_no, is_generated character_data, generation_expression character_data, "+
		"is_updatable yes_or_no",
		func(in *Info, b *rowsBuilder) {
			for _, r := range allRelations(in) {
				for i, c := range r.table.Columns {
					typ := ColumnType(c.Type)
					if r.schema != "public" {
						typ = pgTypeOIDs[c.From]
					}
					t, _ := TypeByOID(typ)
					dataType, udt := t.SQL, t.Name
					if t.Category == 'A' {
						dataType = "ARRAY"
					}
					if t.OID == 19 && r.schema == "information_schema" {
						dataType = "name"
					}
					nullable := "YES"
					if r.schema == "public" && i == r.table.TimeColumn {
						nullable = "NO"
					}
					var prec, radix, scale, dtPrec any
					switch t.Name {
					case "int2":
						prec, radix, scale = int32(16), int32(2), int32(0)
					case "int4":
						prec, radix, scale = int32(32), int32(2), int32(0)
					case "int8":
						prec, radix, scale = int32(64), int32(2), int32(0)
					case "float4":
						prec, radix = int32(24), int32(2)
					case "float8":
						prec, radix = int32(53), int32(2)
					case "numeric":
						radix = int32(10)
					case "timestamptz", "timestamp", "time", "interval":
						dtPrec = int32(6)
					case "date":
						dtPrec = int32(0)
					}
					row := []any{in.Database, r.schema, r.table.Name, c.Name, int32(i + 1), nil, nullable, dataType,
						nil, nil, prec, radix, scale, dtPrec}
					row = append(row, nulls(11)...)
					row = append(row, in.Database, "pg_catalog", udt, nil, nil, nil, nil, strconv.Itoa(i+1), "NO", "NO",
						nil, nil, nil, nil, nil, "NO", "NEVER", nil, "NO")
					b.add(row...)
				}
			}
		})
	define(info, "views", 13230, 'v', "table_catalog sql_identifier, table_schema sql_identifier, "+
		"table_name sql_identifier, view_definition character_data, check_option character_data, "+
		"is_updatable yes_or_no, is_insertable_into yes_or_no, is_trigger_updatable yes_or_no, "+
		"is_trigger_deletable yes_or_no, is_trigger_insertable_into yes_or_no",
		func(in *Info, b *rowsBuilder) {
			for _, r := range relations {
				if r.Kind == 'v' {
					b.add(in.Database, r.Schema, r.Table.Name, nil, "NONE", "NO", "NO", "NO", "NO", "NO")
				}
			}
		})
	define(info, "table_constraints", 13240, 'v', "constraint_catalog sql_identifier, "+
		"constraint_schema sql_identifier, constraint_name sql_identifier, table_catalog sql_identifier, "+
		"table_schema sql_identifier, table_name sql_identifier, constraint_type character_data, "+
		"is_deferrable yes_or_no, initially_deferred yes_or_no, enforced yes_or_no, nulls_distinct yes_or_no", nil)
	define(info, "key_column_usage", 13250, 'v', "constraint_catalog sql_identifier, "+
		"constraint_schema sql_identifier, constraint_name sql_identifier, table_catalog sql_identifier, "+
		"table_schema sql_identifier, table_name sql_identifier, column_name sql_identifier, "+
		"ordinal_position cardinal_number, position_in_unique_constraint cardinal_number", nil)
	define(info, "referential_constraints", 13260, 'v', "constraint_catalog sql_identifier, "+
		"constraint_schema sql_identifier, constraint_name sql_identifier, "+
		"unique_constraint_catalog sql_identifier, unique_constraint_schema sql_identifier, "+
		"unique_constraint_name sql_identifier, match_option character_data, update_rule character_data, "+
		"delete_rule character_data", nil)
	define(info, "constraint_column_usage", 13270, 'v', "table_catalog sql_identifier, "+
		"table_schema sql_identifier, table_name sql_identifier, column_name sql_identifier, "+
		"constraint_catalog sql_identifier, constraint_schema sql_identifier, constraint_name sql_identifier", nil)
}

// relation is a relation of either kind, for the information_schema
// views that list both.
type relation struct {
	schema string
	table  *schema.Table
	kind   byte
}

func allRelations(in *Info) []relation {
	var out []relation
	for _, t := range sortedTables(in) {
		out = append(out, relation{"public", t, 'r'})
	}
	for _, r := range relations {
		out = append(out, relation{r.Schema, r.Table, r.Kind})
	}
	return out
}

func rowCount(in *Info, table string) int64 {
	if in.RowCount == nil {
		return -1
	}
	return in.RowCount(table)
}

// TableDescription is a table's comment: where its rows come from.
func TableDescription(t *schema.Table) string {
	switch t.Name {
	case "alerts":
		return "KubeArmor alerts: policy matches and their context, one row per event"
	case "logs":
		return "KubeArmor logs: process, file and network activity, one row per event"
	case "messages":
		return "KubeArmor daemon messages"
	}
	if t.Virtual {
		return "computed by every operator from its live state"
	}
	return ""
}

// databases lists pg_database: the session's and armorlake's own.
func databases(in *Info) []string {
	names := []string{"armorlake"}
	if in.Database != "" && in.Database != "armorlake" {
		names = append(names, in.Database)
	}
	slices.Sort(names)
	return names
}

// DatabaseOID is the OID of database name.
func DatabaseOID(name string) int64 {
	if name == "armorlake" {
		return 16384
	}
	return TableOID("database " + name)
}

type role struct {
	oid   int64
	name  string
	super bool
}

// roles lists pg_roles: the owner of everything and the session's user.
func roles(in *Info) []role {
	rs := []role{{SuperuserOID, SuperuserName, true}}
	if in.User != "" && in.User != SuperuserName {
		rs = append(rs, role{RoleOID(in.User), in.User, false})
	}
	return rs
}

// RoleOID is the OID of role name.
func RoleOID(name string) int64 {
	if name == SuperuserName {
		return SuperuserOID
	}
	return TableOID("role " + name)
}

// RoleName is the name of role OID oid in in, for pg_get_userbyid.
func RoleName(in *Info, oid int64) (string, bool) {
	for _, r := range roles(in) {
		if r.oid == oid {
			return r.name, true
		}
	}
	return "", false
}
