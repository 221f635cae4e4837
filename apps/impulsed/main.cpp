// impulsed entry point (placeholder until the daemon skeleton lands).
int main() { return 0; }
