/* Shared library code for the text-relocation fixture: built without -fPIC on purpose. */
extern int counter;
int counter;
int bump(void) { return ++counter; }
