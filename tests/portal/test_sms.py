from portal.sms import send_sms


def test_the_console_backend_prints_the_message_with_the_number_masked(capsys, settings):
    settings.SMS_BACKEND = "portal.sms.ConsoleBackend"
    send_sms("13812345678", "您的验证码是 123456")
    out = capsys.readouterr().out
    assert "138****5678" in out
    assert "13812345678" not in out
    assert "您的验证码是 123456" in out
