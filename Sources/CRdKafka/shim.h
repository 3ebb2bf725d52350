// Debian's librdkafka (librdkafka-dev 2.0.2): the client API and the in-process mock cluster used by the tests.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
