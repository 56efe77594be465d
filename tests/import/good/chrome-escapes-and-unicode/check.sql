-- a byte order mark, escapes (a surrogate pair among them) and raw UTF-8 are decoded
SELECT class_key, ident, length(class) AS chars FROM v_ops;
