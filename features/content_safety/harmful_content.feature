@CSW-CON-2
Feature: Harmful content is blocked in the feed, in messages and in search
  The watch's filter keeps harmful content (sexual, violent, self-harm,
  gambling, scams, strangers' lures) away from the child, in Chinese and in
  English, without blocking ordinary children's talk. It is judged by rates on
  the harness's versioned corpus, never by one sample: the share of harmful
  samples blocked and the share of benign samples let through, each against
  the profile's threshold. The harmful samples written in each form (plain,
  spaced out, emoji, pinyin, leetspeak ...) are held to the block rate too,
  one miss in a form aside: a filter that cannot read one form lets anything
  written that way through, however well it reads the rest.
  Harmful messages come from a stranger, the sender a child is most exposed
  to; harmless ones from an approved friend, since a watch may withhold every
  stranger's message and still be conformant.

  Background:
    Given a watch bound to its guardian
    And the harness's content corpus

  Scenario: Harmful items are kept out of the feed
    When the editors try to publish every sample of the corpus for all ages
    Then the child's feed keeps out harmful samples at the profile's block rate, in every form of writing, and shows benign samples at its pass rate

  Scenario: Messages to the child are filtered
    When a stranger sends the child every harmful sample of the corpus and an approved friend every benign one
    Then the child's inbox blocks harmful samples at the profile's block rate, in every form of writing, and delivers benign samples at its pass rate

  Scenario: Searching for harmful content finds nothing
    When the child searches for the text of every harmful sample
    Then the searches show nothing at the profile's block rate, in every form of writing

  Scenario: Searching for an ordinary item's own text finds it
    When the editors try to publish every sample of the corpus for all ages
    And the child searches for the text of every benign item the editors published
    Then every search the filter lets through shows its item, and the filter lets them through at the profile's pass rate

  Scenario: An ordinary search finds every pool item it matches
    When the editors publish ordinary items sharing the word "tangram"
    And the child searches for "tangram"
    Then the search shows every one of those items

  Scenario Outline: A kind message arranging to meet, from someone the guardian trusts, is delivered
    When the <sender> sends the child "<text>"
    Then the child's inbox holds that message

    Examples:
      | sender          | text                                                                                  |
      | guardian        | Sweetie, I'll wait for you at the school gate at five, then we go to the library.     |
      | guardian        | 宝贝，放学后妈妈去接你，我们一起去图书馆。                                            |
      | approved friend | You look so cute in the class photo! Let's meet up at the library after school, my mum is taking us. |
