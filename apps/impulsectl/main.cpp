// impulsectl entry point (placeholder until the console issue).
int main() { return 0; }
