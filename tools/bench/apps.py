from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "tools.bench"
    # The label the naive baseline's table and migration were created under (bench_naivecontact).
    label = "bench"
    verbose_name = "Benchmark baseline"
    default_auto_field = "django.db.models.BigAutoField"
