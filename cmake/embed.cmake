# embed.cmake - turn a text file into a C array (run with cmake -P).
#   cmake -DIN=file.sql -DOUT=file.h -DNAME=wcp_schema_sql -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "/* Generated from ${IN} by cmake/embed.cmake; do not edit. */\n"
  "static const char ${NAME}[] = {${bytes}0x00};\n")
