# Extracts the GUI's strings and fails if zh_CN.po lacks a translation for any of them.
execute_process(COMMAND ${XGETTEXT} --from-code=UTF-8 -k_ -kwxTRANSLATE -c++ --no-location --no-wrap -o ${POT} ${SOURCES}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "xgettext failed")
endif()
execute_process(COMMAND ${MSGCMP} ${PO} ${POT} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "zh_CN.po is missing translations:\n${err}")
endif()
