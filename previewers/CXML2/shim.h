#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU; its ICU headers clash with Foundation's own ICU module. Nothing here uses the
// converter structures they declare (only pointers to them), so they are left out.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

static inline void vellum_xml_free(void *pointer) { xmlFree(pointer); }
