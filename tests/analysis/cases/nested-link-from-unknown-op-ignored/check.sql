-- Nested-client links from an op that does not exist are ignored before "the last link wins" (§1.5): the later link for client cx comes from op 99, which is no op, so the nested session 3 is reparented under exec 2 (the earlier link): one root, one reparented op; exec 2's self is 80 - 60 = 20.
SELECT ops, roots, reparented_ops FROM runs;
SELECT id, parent_id, reparented, self_ns FROM ops ORDER BY id;
