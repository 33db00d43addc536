import type { RelationKind, RelationRef } from '@tform/core';

/**
 * publish() for Postgres: one PL/pgSQL `DO` block, generated as pure text and run by the runner
 * inside its publish transaction (followed by post-hooks), that looks at the catalog *when it
 * runs* — the tmp relation only exists then — and replaces `target` with `tmp` in one of three
 * ways:
 *
 * (a) The target does not exist: rename tmp to the target's name.
 *
 * (b) Contents in place, when the shape allows it — nothing that depends on the target changes:
 *     - table over table (or partitioned table) whose columns (names, types with typmod,
 *       collations, in order) equal tmp's and that has no generated column:
 *       `lock table target in share row exclusive mode; delete from target;
 *        insert into target overriding system value select * from tmp; drop table tmp`.
 *     - view over view whose columns are a prefix of tmp's (same names, types, collations):
 *       `create or replace view target [with (its options)] as <tmp's definition>; drop view tmp`.
 *
 * (c) Otherwise (columns differ, or the kind changes table ↔ view ↔ materialized view): the
 *     dependent-view dance. Before changing anything, collect every view and materialized view
 *     that depends on the target (recursively: views of views), and check that each view reading
 *     the target directly reads only columns tmp still has — if not, fail right there with a
 *     message naming the view and the column. Then save, as ready-to-run statements: each
 *     dependent's definition (pg_get_viewdef), options, owner, grants (table- and column-level),
 *     comments, triggers, rules and (materialized views) indexes; and what the target itself
 *     carries: owner, grants, comments — and when the kind stays the same its options, column
 *     defaults and NOT NULLs, constraints, indexes, triggers, rules, replica identity, row level
 *     security and policies. Drop the dependents (deepest first, never CASCADE), drop the old
 *     target, rename tmp, run the saved statements (target first, then the views in dependency
 *     order). A statement that fails aborts the block with the object it was restoring named,
 *     and the runner's transaction rolls back: old target, views and grants stay as they were.
 *     The one exception: a saved index, constraint, column default/NOT NULL, column comment or
 *     column grant of the *target* that names a column tmp no longer has (SQLSTATE 42703) is
 *     skipped with a WARNING: it describes a column the model dropped. (Policies are never
 *     skipped: losing one would widen access.)
 *
 * Postgres facts behind the branches (each checked on PostgreSQL 15.20):
 * - A view is bound to the OIDs of the relations it reads, not to their names:
 *   `alter table t rename to t_old` leaves `pg_get_viewdef(v)` reading `FROM s.t_old`. So
 *   "rename the old table away, rename tmp in" would drag every dependent view along to the old
 *   table, and a dependent view cannot be repointed in place — hence (b) or (c), never a swap.
 * - `drop table t cascade` silently drops dependent views (and anything depending on those); a
 *   plain `drop table` fails with 2BP01 while anything depends on t. The block never cascades,
 *   so whatever it does not know how to restore (a SQL-body function, another table's rule or
 *   foreign key, a view created concurrently) makes the publish fail and roll back instead of
 *   disappearing.
 * - Grants (relacl), indexes, constraints, triggers, policies and comments belong to the relation
 *   OID and vanish with a dropped table; a renamed tmp has none. (b) keeps them all by keeping
 *   the OID; (c) re-applies them.
 * - TRUNCATE is not MVCC-safe: a REPEATABLE READ transaction whose snapshot predates the
 *   truncation, reading the table afterwards, sees it empty. Checked: with `truncate; insert 50
 *   rows` committed after a RR transaction's first statement, its `count(*)` was 0. The same
 *   holds for drop + rename in (a) and (c): that RR reader saw 0 rows of the new table (its rows
 *   were written after the snapshot). DELETE + INSERT is MVCC-safe: that reader kept seeing the
 *   old rows, and every read-committed statement sees either all old or all new rows. So (b)
 *   uses DELETE, at the cost of one table's worth of dead tuples for (auto)vacuum, and (c) is
 *   only taken when the shape changes (readers that hold a lock on the old table are waited for;
 *   a RR reader that first touches the table after a (c) commit sees it empty — inherent).
 * - DELETE takes ROW EXCLUSIVE, which does not conflict with readers' ACCESS SHARE. The SHARE ROW
 *   EXCLUSIVE lock taken first keeps concurrent writers (and a second publish of the same table)
 *   out between the column check and the insert, and still lets everyone read.
 * - `create or replace view` keeps the view's OID (so its dependents, grants, owner and comments)
 *   but only if the new column list starts with exactly the old columns: dropping, renaming or
 *   retyping one (even text → varchar, or a collation change) fails with 42P16. It resets the
 *   view's options to those given, hence `with (<old options>)`.
 * - Dependencies of a view are recorded in pg_depend from its `_RETURN` rule (pg_rewrite) to the
 *   relations it reads, with one row per column read (refobjsubid = attnum; `select *` is
 *   expanded at creation), which is what the missing-column check uses.
 * - pg_get_viewdef / pg_get_indexdef / pg_get_constraintdef / pg_get_triggerdef qualify names
 *   that the search_path does not make visible; with search_path '' (set locally for the block,
 *   restored at its end) every saved definition is schema-qualified, so it means the same thing
 *   when replayed. A saved definition naming the target by name resolves to the new relation.
 * - `insert … overriding system value` is accepted by a table without identity columns and lets
 *   identity (GENERATED ALWAYS) columns take tmp's values.
 * - GRANT of any table privilege (including TRUNCATE, REFERENCES, TRIGGER) is accepted on views
 *   and materialized views, so grants carry across a change of kind. COMMENT ON needs the right
 *   kind word (`comment on table v` fails for a view).
 */

export interface PublishBlockOptions {
  kind: RelationKind;
  /** Both refs already as the catalog stores them (≤ 63 bytes), in the same schema. */
  tmp: RelationRef;
  target: RelationRef;
  /** SQL string literal of a value. */
  literal: (value: string) => string;
}

export function publishBlock(o: PublishBlockOptions): string {
  if (o.tmp.schema !== o.target.schema) {
    throw new Error(`internal: tmp relation must be in the target's schema (${o.tmp.schema} vs ${o.target.schema})`);
  }
  const params: Record<string, string> = {
    kind: o.literal(o.kind),
    schema: o.literal(o.target.schema),
    tmp_name: o.literal(o.tmp.identifier),
    name: o.literal(o.target.identifier),
  };
  const body = BODY.replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`internal: publish template parameter ${k}`);
    return v;
  });
  return `do ${dollarTag(body)}\n${body}\n${dollarTag(body)}`;
}

/** A dollar-quote tag that does not occur in `body` (names are user text). */
function dollarTag(body: string): string {
  let tag = '$tform$';
  for (let n = 1; body.includes(tag); n++) tag = `$tform${n}$`;
  return tag;
}

const BODY = String.raw`declare
  p_kind constant text := {{kind}};
  p_schema constant text := {{schema}};
  p_tmp_name constant text := {{tmp_name}};
  p_name constant text := {{name}};
  v_target constant text := format('%I.%I', p_schema, p_name);
  v_tmp constant text := format('%I.%I', p_schema, p_tmp_name);
  v_path constant text := current_setting('search_path');
  v_tmp_oid oid;
  v_tmp_kind "char";
  v_tmp_owner oid;
  v_old_oid oid;
  v_old_kind "char";
  v_old_cols text[];
  v_new_cols text[];
  v_generated boolean;
  v_objs oid[];                 -- the old target, then its dependent views in creation order
  v_drops text[] := '{}';       -- v_drops[i] drops v_objs[i]; run from last to first
  v_make text[] := '{}';        -- statements that rebuild what the drops remove, in order
  v_what text[] := '{}';        -- what each v_make statement restores, for messages
  v_soft boolean[] := '{}';     -- skip with a WARNING when it names a column tmp lacks
  v_oid oid;
  v_kind "char";
  v_new_kind "char";
  v_same_kind boolean;
  v_rel text;
  v_word text;
  v_new_word text;
  v_owner text;
  v_new_owner text;
  v_txt text;
  v_index text;
  v_rec record;
  v_msg text;
  v_state text;
  v_detail text;
  v_hint text;
  i integer;
begin
  -- Catalog lookups by name, never through the search_path; and with an empty path every
  -- definition deparsed below comes out schema-qualified.
  perform set_config('search_path', '', true);

  select c.oid, c.relkind, c.relowner into v_tmp_oid, v_tmp_kind, v_tmp_owner
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = p_schema and c.relname = p_tmp_name;
  if v_tmp_oid is null then
    raise exception 'tform: cannot publish %: % does not exist', v_target, v_tmp using errcode = '42P01';
  end if;
  if (p_kind = 'table') <> (v_tmp_kind = 'r') or (p_kind = 'view') <> (v_tmp_kind = 'v') then
    raise exception 'tform: cannot publish %: % is not a %', v_target, v_tmp, p_kind using errcode = '42809';
  end if;

  select c.oid, c.relkind into v_old_oid, v_old_kind
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = p_schema and c.relname = p_name;

  -- (a) Nothing there yet: the tmp relation becomes the target.
  if v_old_oid is null then
    execute format('alter %s %s rename to %I', p_kind, v_tmp, p_name);
    perform set_config('search_path', v_path, true);
    return;
  end if;

  if v_old_kind not in ('r', 'p', 'v', 'm') then
    raise exception 'tform: cannot publish %: a relation of another kind (relkind %) has that name', v_target, v_old_kind
      using errcode = '42809', hint = 'tform replaces only tables, views and materialized views; drop or rename it first';
  end if;

  if v_old_kind in ('r', 'p') then
    -- Keeps writers (and another publish) out until commit; readers are not blocked.
    execute format('lock table %s in share row exclusive mode', v_target);
    -- Deleting the rows would cascade to, or be refused by, other tables' foreign keys, and
    -- dropping the table would need CASCADE, which would drop the constraints.
    select string_agg(format('%I on %s', con.conname, con.conrelid::regclass), ', ' order by con.conname)
      into v_msg
      from pg_constraint con
     where con.contype = 'f' and con.confrelid = v_old_oid and con.conrelid <> v_old_oid;
    if v_msg is not null then
      raise exception 'tform: cannot publish %: it is referenced by foreign key %', v_target, v_msg
        using errcode = '2BP01', hint = 'tform rebuilds the whole table; drop the foreign key, or reference a table tform does not rebuild';
    end if;
  end if;

  select coalesce(array_agg(format('%I %s %s %s', a.attname, a.atttypid, a.atttypmod, a.attcollation) order by a.attnum), '{}'),
         coalesce(bool_or(a.attgenerated <> ''), false)
    into v_old_cols, v_generated
    from pg_attribute a where a.attrelid = v_old_oid and a.attnum > 0 and not a.attisdropped;
  select coalesce(array_agg(format('%I %s %s %s', a.attname, a.atttypid, a.atttypmod, a.attcollation) order by a.attnum), '{}')
    into v_new_cols
    from pg_attribute a where a.attrelid = v_tmp_oid and a.attnum > 0 and not a.attisdropped;

  -- (b) Same shape: replace the contents in place; the relation keeps its OID and so everything
  -- attached to it.
  if p_kind = 'table' and v_old_kind in ('r', 'p') and v_old_cols = v_new_cols and not v_generated then
    execute format('delete from %s', v_target);
    execute format('insert into %s overriding system value select * from %s', v_target, v_tmp);
    execute format('drop table %s', v_tmp);
    perform set_config('search_path', v_path, true);
    return;
  end if;
  if p_kind = 'view' and v_old_kind = 'v' and v_old_cols = v_new_cols[1:cardinality(v_old_cols)] then
    select coalesce(' with (' || array_to_string(c.reloptions, ', ') || ')', '') into v_txt from pg_class c where c.oid = v_old_oid;
    execute format('create or replace view %s%s as %s', v_target, v_txt, regexp_replace(pg_get_viewdef(v_tmp_oid), ';\s*$', ''));
    execute format('drop view %s', v_tmp);
    perform set_config('search_path', v_path, true);
    return;
  end if;

  -- (c) The dependent-view dance. First: would every view reading the target still work?
  select string_agg(format('%s %s (%s)', x.word, x.rel, x.cols), '; ' order by x.rel),
         (array_agg(format('%s %s uses column%s %s, which the new %s does not have', x.word, x.rel,
                           case when x.n > 1 then 's' else '' end, x.cols, v_target) order by x.rel))[1]
    into v_detail, v_msg
    from (select case c.relkind when 'm' then 'materialized view' else 'view' end as word,
                 c.oid::regclass::text as rel,
                 string_agg('"' || replace(a.attname, '"', '""') || '"', ', ' order by a.attnum) as cols,
                 count(*) as n
            from pg_depend d
            join pg_rewrite r on r.oid = d.objid and r.rulename = '_RETURN'
            join pg_class c on c.oid = r.ev_class
            join pg_attribute a on a.attrelid = v_old_oid and a.attnum = d.refobjsubid
           where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
             and d.refobjid = v_old_oid and d.refobjsubid > 0 and c.oid <> v_old_oid
             and not exists (select 1 from pg_attribute b
                              where b.attrelid = v_tmp_oid and b.attname = a.attname and b.attnum > 0 and not b.attisdropped)
           group by c.oid, c.relkind) x;
  if v_msg is not null then
    raise exception 'tform: cannot publish %: %', v_target, v_msg
      using errcode = '2BP01',
            detail = format('Nothing was changed: the old %s and its dependent views are intact. Views reading columns the new one lacks: %s.', v_target, v_detail),
            hint = 'change or drop the view first (tform never drops views it does not build), or keep the column in the model';
  end if;

  -- Every view and materialized view that depends on the target, directly or through other
  -- views, ordered so that each comes after everything it reads.
  v_objs := array[v_old_oid];
  for v_rec in
    with recursive dep(oid, depth) as (
      select r.ev_class, 1
        from pg_depend d join pg_rewrite r on r.oid = d.objid and r.rulename = '_RETURN'
       where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
         and d.refobjid = v_old_oid and r.ev_class <> v_old_oid
      union
      select r.ev_class, dep.depth + 1
        from dep
        join pg_depend d on d.refobjid = dep.oid and d.refclassid = 'pg_class'::regclass and d.classid = 'pg_rewrite'::regclass
        join pg_rewrite r on r.oid = d.objid and r.rulename = '_RETURN'
       where r.ev_class <> dep.oid
    )
    select dep.oid from dep join pg_class c on c.oid = dep.oid
     where c.relkind in ('v', 'm') and c.oid <> v_tmp_oid
     group by dep.oid order by max(dep.depth), dep.oid
  loop
    v_objs := v_objs || v_rec.oid;
  end loop;

  -- Save, as statements, everything the drops will take away.
  for i in 1 .. cardinality(v_objs) loop
    v_oid := v_objs[i];
    select c.relkind, pg_get_userbyid(c.relowner) into v_kind, v_owner from pg_class c where c.oid = v_oid;
    v_word := case v_kind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end;
    if i = 1 then
      v_rel := v_target;
      v_new_kind := v_tmp_kind;
      v_new_owner := pg_get_userbyid(v_tmp_owner);
      v_same_kind := v_new_kind = case v_kind when 'p' then 'r' else v_kind end;
    else
      v_rel := v_oid::regclass::text;
      v_new_kind := v_kind;
      v_new_owner := current_user;
      v_same_kind := true;
      select format('create %s %s%s as %s%s', v_word, v_rel,
                    coalesce(' with (' || array_to_string(c.reloptions, ', ') || ')', ''),
                    regexp_replace(pg_get_viewdef(c.oid), ';\s*$', ''),
                    case when c.relkind <> 'm' then '' when c.relispopulated then ' with data' else ' with no data' end)
        into v_txt from pg_class c where c.oid = v_oid;
      v_make := v_make || v_txt; v_what := v_what || format('%s %s', v_word, v_rel); v_soft := v_soft || false;
    end if;
    v_drops := v_drops || format('drop %s %s', v_word, v_rel);
    v_new_word := case v_new_kind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end;

    -- Owner, comment, grants: always (grants of any table privilege are valid on every kind).
    if v_owner <> v_new_owner then
      v_make := v_make || format('alter %s %s owner to %I', v_new_word, v_rel, v_owner);
      v_what := v_what || format('owner of %s', v_rel); v_soft := v_soft || false;
    end if;
    v_txt := obj_description(v_oid, 'pg_class');
    if v_txt is not null then
      v_make := v_make || format('comment on %s %s is %L', v_new_word, v_rel, v_txt);
      v_what := v_what || format('comment on %s', v_rel); v_soft := v_soft || false;
    end if;
    for v_rec in
      select a.attname, col_description(v_oid, a.attnum) as descr from pg_attribute a
       where a.attrelid = v_oid and a.attnum > 0 and not a.attisdropped and col_description(v_oid, a.attnum) is not null
       order by a.attnum
    loop
      v_make := v_make || format('comment on column %s.%I is %L', v_rel, v_rec.attname, v_rec.descr);
      v_what := v_what || format('comment on column %s.%I', v_rel, v_rec.attname); v_soft := v_soft || (i = 1);
    end loop;
    for v_rec in
      select case when x.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(x.grantee)) end as who,
             x.is_grantable, string_agg(x.privilege_type, ', ' order by x.privilege_type) as privs
        from pg_class c cross join lateral aclexplode(c.relacl) x
       where c.oid = v_oid and x.grantee <> c.relowner
       group by 1, 2 order by 1, 2
    loop
      v_make := v_make || format('grant %s on %s to %s%s', v_rec.privs, v_rel, v_rec.who, case when v_rec.is_grantable then ' with grant option' else '' end);
      v_what := v_what || format('grant %s on %s to %s', v_rec.privs, v_rel, v_rec.who); v_soft := v_soft || false;
    end loop;
    for v_rec in
      select a.attname, case when x.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(x.grantee)) end as who,
             x.is_grantable, string_agg(x.privilege_type, ', ' order by x.privilege_type) as privs
        from pg_attribute a cross join lateral aclexplode(a.attacl) x
       where a.attrelid = v_oid and a.attnum > 0 and not a.attisdropped
       group by a.attnum, a.attname, 2, 3 order by a.attnum, 2, 3
    loop
      v_make := v_make || format('grant %s (%I) on %s to %s%s', v_rec.privs, v_rec.attname, v_rel, v_rec.who, case when v_rec.is_grantable then ' with grant option' else '' end);
      v_what := v_what || format('grant %s (%I) on %s to %s', v_rec.privs, v_rec.attname, v_rel, v_rec.who); v_soft := v_soft || (i = 1);
    end loop;

    if v_same_kind then
      if i = 1 then
        select array_to_string(c.reloptions, ', ') into v_txt from pg_class c where c.oid = v_oid;
        if v_txt is not null then
          v_make := v_make || format('alter %s %s set (%s)', v_new_word, v_rel, v_txt);
          v_what := v_what || format('options of %s', v_rel); v_soft := v_soft || false;
        end if;
      end if;
      if v_kind in ('r', 'p') then
        for v_rec in
          select a.attname, a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid) as def from pg_attribute a
            left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
           where a.attrelid = v_oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
             and (a.attnotnull or ad.adbin is not null)
           order by a.attnum
        loop
          if v_rec.def is not null then
            v_make := v_make || format('alter table %s alter column %I set default %s', v_rel, v_rec.attname, v_rec.def);
            v_what := v_what || format('default of column %I', v_rec.attname); v_soft := v_soft || true;
          end if;
          if v_rec.attnotnull then
            v_make := v_make || format('alter table %s alter column %I set not null', v_rel, v_rec.attname);
            v_what := v_what || format('not null on column %I', v_rec.attname); v_soft := v_soft || true;
          end if;
        end loop;
        for v_rec in
          select con.conname, pg_get_constraintdef(con.oid) as def from pg_constraint con
           where con.conrelid = v_oid and con.contype in ('p', 'u', 'x', 'c', 'f')
           order by position(con.contype in 'puxcf'), con.conname
        loop
          v_make := v_make || format('alter table %s add constraint %I %s', v_rel, v_rec.conname, v_rec.def);
          v_what := v_what || format('constraint %I', v_rec.conname); v_soft := v_soft || true;
        end loop;
      end if;
      for v_rec in
        select x.indexrelid::regclass::text as name, pg_get_indexdef(x.indexrelid) as def from pg_index x
         where x.indrelid = v_oid
           and not exists (select 1 from pg_constraint con where con.conindid = x.indexrelid and con.conrelid = v_oid and con.contype in ('p', 'u', 'x'))
         order by x.indexrelid
      loop
        v_make := v_make || v_rec.def;
        v_what := v_what || format('index %s', v_rec.name); v_soft := v_soft || true;
      end loop;
      for v_rec in
        select t.tgname, pg_get_triggerdef(t.oid) as def from pg_trigger t
         where t.tgrelid = v_oid and not t.tgisinternal order by t.tgname
      loop
        v_make := v_make || v_rec.def;
        v_what := v_what || format('trigger %I on %s', v_rec.tgname, v_rel); v_soft := v_soft || (i = 1);
      end loop;
      for v_rec in
        select r.rulename, pg_get_ruledef(r.oid) as def from pg_rewrite r
         where r.ev_class = v_oid and r.rulename <> '_RETURN' order by r.rulename
      loop
        v_make := v_make || regexp_replace(v_rec.def, ';\s*$', '');
        v_what := v_what || format('rule %I on %s', v_rec.rulename, v_rel); v_soft := v_soft || (i = 1);
      end loop;
      if v_kind in ('r', 'p') then
        select c.relreplident::text, (select quote_ident(ic.relname) from pg_index x join pg_class ic on ic.oid = x.indexrelid
                                       where x.indrelid = c.oid and x.indisreplident)
          into v_txt, v_index from pg_class c where c.oid = v_oid;
        if v_txt <> 'd' then
          v_make := v_make || format('alter table %s replica identity %s', v_rel,
                                     case v_txt when 'f' then 'full' when 'n' then 'nothing' else 'using index ' || v_index end);
          v_what := v_what || format('replica identity of %s', v_rel); v_soft := v_soft || true;
        end if;
        select (case when c.relrowsecurity then 'e' else '' end) || (case when c.relforcerowsecurity then 'f' else '' end)
          into v_txt from pg_class c where c.oid = v_oid;
        if v_txt like '%e%' then
          v_make := v_make || format('alter table %s enable row level security', v_rel);
          v_what := v_what || format('row level security of %s', v_rel); v_soft := v_soft || false;
        end if;
        if v_txt like '%f%' then
          v_make := v_make || format('alter table %s force row level security', v_rel);
          v_what := v_what || format('row level security of %s', v_rel); v_soft := v_soft || false;
        end if;
        -- Policies are never skipped: a policy that cannot be recreated fails the publish.
        for v_rec in
          select p.polname,
                 format('create policy %I on %s as %s for %s to %s%s%s', p.polname, v_rel,
                        case when p.polpermissive then 'permissive' else 'restrictive' end,
                        case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
                        (select string_agg(case when r = 0 then 'public' else quote_ident(pg_get_userbyid(r)) end, ', ') from unnest(p.polroles) r),
                        coalesce(' using (' || pg_get_expr(p.polqual, p.polrelid) || ')', ''),
                        coalesce(' with check (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')) as def
            from pg_policy p where p.polrelid = v_oid order by p.polname
        loop
          v_make := v_make || v_rec.def;
          v_what := v_what || format('policy %I on %s', v_rec.polname, v_rel); v_soft := v_soft || false;
        end loop;
      end if;
    end if;
  end loop;

  -- Drop the dependents deepest first, then the old target; never CASCADE.
  for i in reverse cardinality(v_drops) .. 1 loop
    begin
      execute v_drops[i];
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      -- Postgres' own hint here is "Use DROP ... CASCADE", exactly what must not happen.
      raise exception 'tform: cannot publish %: % failed: %', v_target, v_drops[i], v_msg
        using errcode = v_state, detail = v_detail,
              hint = 'tform recreates only dependent views; drop or change the other dependent objects first (nothing was changed)';
    end;
  end loop;

  execute format('alter %s %s rename to %I', p_kind, v_tmp, p_name);

  for i in 1 .. cardinality(v_make) loop
    begin
      execute v_make[i];
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      if v_soft[i] and v_state = '42703' then
        raise warning 'tform: % of the old % not carried over to the new one: %', v_what[i], v_target, v_msg;
      else
        raise exception 'tform: cannot publish %: could not recreate %: %', v_target, v_what[i], v_msg
          using errcode = v_state,
                detail = concat_ws(E'\n', nullif(v_detail, ''), format('Statement: %s', v_make[i]), format('Nothing was changed: the old %s and its dependent views are intact.', v_target)),
                hint = coalesce(nullif(v_hint, ''), 'change or drop the dependent object first, or keep what it needs in the model');
      end if;
    end;
  end loop;

  perform set_config('search_path', v_path, true);
end`;
