"""Photos are processed by a task after the upload is stored (feedback.services.photos): each photo
gets a state and keeps its upload until processed. The photos already stored were processed in
the request: they are READY, given by the added column's default (no UPDATE of every row), which
then becomes PENDING for new photos."""

import feedback.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0020_event_changed_past_days'),
    ]

    operations = [
        migrations.AddField(
            model_name='suggestionphoto',
            name='original',
            field=models.FileField(blank=True, upload_to=feedback.models.original_path, verbose_name='upload'),
        ),
        migrations.AddField(
            model_name='suggestionphoto',
            name='state',
            field=models.CharField(choices=[('pending', 'Being processed'), ('ready', 'Ready'), ('failed', 'Could not be read')], default='ready', max_length=8, verbose_name='state'),
        ),
        migrations.AddField(
            model_name='taskphoto',
            name='original',
            field=models.FileField(blank=True, upload_to=feedback.models.original_path, verbose_name='upload'),
        ),
        migrations.AddField(
            model_name='taskphoto',
            name='state',
            field=models.CharField(choices=[('pending', 'Being processed'), ('ready', 'Ready'), ('failed', 'Could not be read')], default='ready', max_length=8, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(choices=[('submitted', 'Submitted'), ('accepted', 'Accepted'), ('rejected', 'Not taken up'), ('duplicate', 'Marked as a duplicate'), ('merged', 'Merged into another suggestion'), ('merged_in', 'Another suggestion merged in'), ('transferred', 'Passed to another area'), ('task_assigned', 'Task assigned to a department'), ('task_note', 'Progress note'), ('task_done', 'Task done'), ('task_escalated', 'Overdue task escalated'), ('replied', 'Reply written'), ('resolved', 'Resolved'), ('rated', 'Rated by the submitter'), ('reopened', 'Reopened: not solved'), ('closed', 'Closed'), ('photo_hidden', 'Photo hidden'), ('photo_unreadable', 'A photo could not be read'), ('reminded', 'Reminder sent'), ('acknowledged', 'Task acknowledged (签收)'), ('returned', 'Task returned (退单)'), ('extension_requested', 'More time asked for (延期)'), ('extension_decided', 'Extension decided'), ('supervised', 'Supervision notice (督办)'), ('photo_published', 'Result photo shown to the submitter'), ('summary_published', 'Public summary approved'), ('summary_withdrawn', 'Public summary withdrawn'), ('supported', 'Another rider met it too'), ('sms_sent', 'Text message sent to the submitter'), ('sms_failed', 'Text message to the submitter failed'), ('sms_stopped', 'Text messages stopped by the submitter'), ('asked_if_fixed', 'Submitter asked whether it is fixed'), ('callback', 'Callback (回访)'), ('issue_type', 'Issue type changed'), ('rectified', 'What was done about the low rating or reopening')], max_length=20, verbose_name='event'),
        ),
        migrations.AlterField(
            model_name='suggestionphoto',
            name='image',
            field=models.ImageField(blank=True, upload_to=feedback.models.photo_path, verbose_name='photo'),
        ),
        migrations.AlterField(
            model_name='suggestionphoto',
            name='thumbnail',
            field=models.ImageField(blank=True, upload_to=feedback.models.photo_path, verbose_name='thumbnail'),
        ),
        migrations.AlterField(
            model_name='taskphoto',
            name='image',
            field=models.ImageField(blank=True, upload_to=feedback.models.photo_path, verbose_name='photo'),
        ),
        migrations.AlterField(
            model_name='taskphoto',
            name='thumbnail',
            field=models.ImageField(blank=True, upload_to=feedback.models.photo_path, verbose_name='thumbnail'),
        ),
        migrations.AlterField(
            model_name='suggestionphoto',
            name='state',
            field=models.CharField(choices=[('pending', 'Being processed'), ('ready', 'Ready'), ('failed', 'Could not be read')], default='pending', max_length=8, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='taskphoto',
            name='state',
            field=models.CharField(choices=[('pending', 'Being processed'), ('ready', 'Ready'), ('failed', 'Could not be read')], default='pending', max_length=8, verbose_name='state'),
        ),
        migrations.AddIndex(
            model_name='suggestionphoto',
            index=models.Index(condition=models.Q(('state', 'pending')), fields=['created_at'], name='suggestion_photo_pending'),
        ),
        migrations.AddIndex(
            model_name='taskphoto',
            index=models.Index(condition=models.Q(('state', 'pending')), fields=['created_at'], name='task_photo_pending'),
        ),
    ]
