"""Excel import of a survey list (数据摸排清单), by concern.

`upload.ImportUploadForm` refuses, before any job exists, a file openpyxl cannot read
(`workbook`) or whose first row is not the template's headings (`columns`). The read task
(`jobs.read`) checks every row by the staff form's own rules (`checking`) and stores it with its
outcome; staff review the rows (`review`), and the commit task (`jobs.commit`) saves the valid
ones in bulk (`saving`), a chunk per transaction. Both tasks are safe to run twice. `template`
builds the blank list staff download.
"""
