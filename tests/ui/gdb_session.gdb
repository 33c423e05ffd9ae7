set pagination off
set confirm off
break s_main
continue
stepi
stepi
reverse-stepi
reverse-stepi
info registers pc
shell sleep 6
