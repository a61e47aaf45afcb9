from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0013_warning"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=["stage", "-is_key_project", "code"], name="project_board_order"
            ),
        ),
    ]
